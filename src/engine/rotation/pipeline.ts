/**
 * The rotation pipeline: reader (keyset pages) -> bounded window of tasks on
 * the crypto pool -> results put back in key order -> guarded batch writes ->
 * checkpoint after each commit. Memory is bounded by the window, one page
 * and one batch, whatever the vault size. The host thread only reads, writes
 * and counts; every derivation happens in the pool.
 *
 * Cancel: the pool's shared abort flag stops the workers after their current
 * derivation; the contiguous prefix of finished records is committed and
 * becomes the cursor. Results past the first unfinished record are dropped
 * (they are redone on resume) and their derivations reported as discarded.
 */
import type { CryptoPool } from '../pool/crypto-pool.js';
import type { CryptoTaskResult } from '../pool/protocol.js';
import type { ValueUpdate, VaultRecord, VaultStore } from '../storage/types.js';
import { RecordReader } from './record-reader.js';
import type { RecordFailure } from './types.js';

/** Password indexes in the pool: 0 opens, 1 encrypts. */
export const OLD_PASSWORD = 0;
export const NEW_PASSWORD = 1;
export const MAX_LISTED_FAILURES = 1000;

export interface PipelineSettings {
  readonly store: VaultStore;
  readonly table: string;
  readonly pool: CryptoPool;
  readonly afterId: string | null;
  readonly includeSoftDeleted: boolean;
  /** "now" for the soft-deleted test, fixed for the whole run */
  readonly readNow: Date;
  readonly dryRun: boolean;
  /** record updates per write transaction */
  readonly batchSize: number;
  /** commit the cursor at least this often when few records rotate, so a crash loses little */
  readonly commitIntervalMs: number;
  /** tasks in flight (a small multiple of the pool size) */
  readonly window: number;
  readonly pageSize: number;
  readonly signal: AbortSignal | undefined;
  /** updated_at of written records, "YYYY-MM-DD HH:MM:SS" UTC */
  readonly updatedAt: () => string;
  /** runs once, before the first write (the backup) */
  readonly beforeFirstWrite: () => Promise<void>;
  /** after each commit: every record up to `cursor` is done */
  readonly onCommit: (cursor: string | null) => void;
  /** after each record is accounted for (progress) */
  readonly onRecord: () => void;
}

/** Counts of this run. `rotated` and guard failures count once committed. */
export interface PipelineCounts {
  scanned: number;
  rotated: number;
  skipped: number;
  failed: number;
  opened: number;
  bytes: number;
  derivations: number;
  derivationsDiscarded: number;
}

export type CommittedCounts = Pick<
  PipelineCounts,
  'scanned' | 'rotated' | 'skipped' | 'failed' | 'opened' | 'bytes'
>;

/** Flush a batch holding this many bytes of values even if it has fewer records (multi-MB values). */
const BATCH_MAX_BYTES = 16 * 1024 * 1024;

interface InFlight {
  readonly record: VaultRecord;
  result: CryptoTaskResult | null;
}

export class RotationPipeline {
  readonly counts: PipelineCounts = {
    scanned: 0,
    rotated: 0,
    skipped: 0,
    failed: 0,
    opened: 0,
    bytes: 0,
    derivations: 0,
    derivationsDiscarded: 0,
  };
  readonly failures: RecordFailure[] = [];
  /** every record up to this id is done and committed */
  cursor: string | null;
  /** the counts as of `cursor` (what a checkpoint may record) */
  committed: CommittedCounts = {
    scanned: 0,
    rotated: 0,
    skipped: 0,
    failed: 0,
    opened: 0,
    bytes: 0,
  };

  private readonly settings: PipelineSettings;
  private batch: ValueUpdate[] = [];
  private batchBytes = 0;
  /** id of the last record accounted for in order (committed at the next flush) */
  private lastAccounted: string | null;
  private accountedSinceCommit = 0;
  private lastCommitAt = performance.now();
  private wroteOnce = false;

  constructor(settings: PipelineSettings) {
    this.settings = settings;
    this.cursor = settings.afterId;
    this.lastAccounted = settings.afterId;
  }

  /** Resolves `cancelled: true` when the signal stopped it before the end. */
  async run(): Promise<{ cancelled: boolean }> {
    const { pool, signal } = this.settings;
    const reader = new RecordReader(this.settings.store, {
      table: this.settings.table,
      afterId: this.settings.afterId,
      includeSoftDeleted: this.settings.includeSoftDeleted,
      now: this.settings.readNow,
      pageSize: this.settings.pageSize,
    });
    const inFlight = new Map<number, InFlight>();
    let nextSeq = 0;
    let head = 0;
    let stopping = false;
    /** tasks whose result has not arrived: only they can wake the loop */
    let unresolved = 0;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const wakeUp = (): void => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    signal?.addEventListener('abort', wakeUp);
    try {
      for (;;) {
        if (signal?.aborted && !stopping) {
          stopping = true;
          pool.abort();
        }
        while (!stopping && inFlight.size < this.settings.window) {
          const record = reader.next();
          if (!record) break;
          const entry: InFlight = { record, result: null };
          inFlight.set(nextSeq++, entry);
          unresolved++;
          pool.run(this.taskFor(record)).then(
            (result) => {
              unresolved--;
              entry.result = result;
              this.counts.derivations += result.derivations;
              wakeUp();
            },
            (error: unknown) => {
              unresolved--;
              failure ??= error;
              wakeUp();
            },
          );
        }

        // Account for finished records strictly in key order.
        for (let entry = inFlight.get(head); entry?.result; entry = inFlight.get(head)) {
          if (entry.result.outcome.kind === 'aborted') {
            stopping = true;
            break;
          }
          inFlight.delete(head++);
          this.account(entry.record, entry.result);
          if (this.shouldFlush()) await this.flush();
          if (failure) break;
        }
        if (failure) throw failure;

        if (inFlight.size === 0 && (stopping || reader.done)) break;
        if (stopping && unresolved === 0) break;
        // Results that arrived during a flush were accounted for above: refill instead of waiting.
        if (unresolved === 0) continue;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      // Finished after the first unfinished record: dropped, redone on resume.
      for (const entry of inFlight.values())
        this.counts.derivationsDiscarded += entry.result?.derivations ?? 0;
      await this.flush();
      return { cancelled: stopping && (inFlight.size > 0 || !reader.done) };
    } finally {
      signal?.removeEventListener('abort', wakeUp);
    }
  }

  private taskFor(record: VaultRecord) {
    return this.settings.dryRun
      ? ({ op: 'open', value: record.value, password: OLD_PASSWORD } as const)
      : ({ op: 'rotate', value: record.value, from: OLD_PASSWORD, to: NEW_PASSWORD } as const);
  }

  private account(record: VaultRecord, result: CryptoTaskResult): void {
    const { outcome } = result;
    this.counts.scanned++;
    switch (outcome.kind) {
      case 'rotated':
        this.counts.opened++;
        this.batch.push({ id: record.id, expectedValue: record.value, newValue: outcome.newValue });
        this.batchBytes += record.value.length + outcome.newValue.length;
        break;
      case 'opened':
        // dry run: what would rotate
        this.counts.opened++;
        this.counts.rotated++;
        break;
      case 'not-opened':
        this.counts.skipped++;
        break;
      case 'malformed':
        this.recordFailure({ id: record.id, reason: 'malformed', detail: outcome.detail });
        break;
      default:
        throw new Error(`unexpected outcome ${outcome.kind} for a rotation task`);
    }
    this.lastAccounted = record.id;
    this.accountedSinceCommit++;
    this.settings.onRecord();
  }

  private recordFailure(failure: RecordFailure): void {
    this.counts.failed++;
    if (this.failures.length < MAX_LISTED_FAILURES) this.failures.push(failure);
  }

  private shouldFlush(): boolean {
    if (this.settings.dryRun) return false;
    return (
      this.batch.length >= this.settings.batchSize ||
      this.batchBytes >= BATCH_MAX_BYTES ||
      (this.accountedSinceCommit > 0 &&
        performance.now() - this.lastCommitAt >= this.settings.commitIntervalMs)
    );
  }

  /** Commits the batch (one guarded transaction) and moves the cursor to the last record accounted for. */
  private async flush(): Promise<void> {
    if (this.settings.dryRun || this.accountedSinceCommit === 0) return;
    const batch = this.batch;
    if (batch.length > 0) {
      if (!this.wroteOnce) {
        await this.settings.beforeFirstWrite();
        this.wroteOnce = true;
      }
      const { written, guardFailed } = this.settings.store.writeBatch(
        this.settings.table,
        batch,
        this.settings.updatedAt(),
      );
      const newValueLength = new Map(batch.map((update) => [update.id, update.newValue.length]));
      this.counts.rotated += written.length;
      for (const id of written) this.counts.bytes += newValueLength.get(id) ?? 0;
      for (const id of guardFailed) {
        this.recordFailure({
          id,
          reason: 'changed-concurrently',
          detail:
            'the record changed after it was read (another program wrote it) and was left as that program wrote it; ' +
            'run the rotation again to rotate it if it is still under the old password',
        });
      }
    }
    this.batch = [];
    this.batchBytes = 0;
    this.accountedSinceCommit = 0;
    this.lastCommitAt = performance.now();
    this.cursor = this.lastAccounted;
    const { scanned, rotated, skipped, failed, opened, bytes } = this.counts;
    this.committed = { scanned, rotated, skipped, failed, opened, bytes };
    this.settings.onCommit(this.cursor);
  }
}
