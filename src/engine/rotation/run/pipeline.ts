/**
 * The rotation pipeline: record source (keyset pages) -> bounded window of
 * tasks on the crypto pool -> results put back in key order -> guarded batch
 * writes -> checkpoint after each commit. Memory is bounded by the window, one
 * page and one batch, in records and in bytes, whatever the vault size and
 * the size of its values. The host thread only reads, writes and counts;
 * every derivation happens in the pool.
 *
 * Cancel: the pool's shared abort flag stops the workers after their current
 * derivation; the contiguous prefix of finished records is committed and
 * becomes the cursor. Results past the first unfinished record are dropped
 * (they are redone on resume) and their derivations reported as discarded.
 */
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { CryptoTaskResult } from '../../pool/protocol.js';
import { PeriodicCollector, type CollectionBudget } from '../../pool/worker-gc.js';
import type {
  ValueUpdate,
  VaultRecord,
  VaultStore,
  WriteBatchResult,
} from '../../storage/types.js';
import { assertBatchAccounted } from './batch-result.js';
import { runBoundedWindow } from './bounded-window.js';
import { NO_COUNTS, recordCountsOf, type Tally } from '../job/record-counts.js';
import type { RecordScope } from '../job/record-scope.js';
import type { RecordCounts, RecordFailure } from '../types.js';
import type { VisitLedger } from './visit-ledger.js';
import type { SampledResults } from '../checks/sampled-results.js';

/** Password indexes in the pool: 0 opens, 1 encrypts. */
export const OLD_PASSWORD = 0;
export const NEW_PASSWORD = 1;
export const MAX_LISTED_FAILURES = 1000;

/** Records in key order (a RecordReader, or a filter over one for a sweep). */
export interface RecordSource {
  /** a promise where the source must read a page first */
  next(): VaultRecord | null | Promise<VaultRecord | null>;
  readonly done: boolean;
}

export interface PipelineSettings {
  readonly store: VaultStore;
  /** the records `records` hands out; its cursor is the one before the first (resume point) */
  readonly scope: RecordScope;
  readonly pool: CryptoPool;
  readonly records: RecordSource;
  readonly dryRun: boolean;
  /** record updates per write transaction */
  readonly batchSize: number;
  /** flush a batch holding this many bytes of values even if it has fewer records (multi-MB values) */
  readonly batchMaxBytes?: number | undefined;
  /** bytes of values (read and rewritten) in flight at most; at least one task runs whatever its size */
  readonly maxInFlightBytes?: number | undefined;
  /** what this run left in each record (for the sweep after the main pass) */
  readonly ledger?: VisitLedger | undefined;
  /** each record this run wrote, once committed */
  readonly onWritten?: ((key: string, newValue: string) => void) | undefined;
  /**
   * Read each written record back after its commit (the table has triggers,
   * which may change or undo what the update wrote): a record that does not
   * hold the new value is a failure, not a rotation.
   */
  readonly readBackWrites?: boolean | undefined;
  /** commit the cursor at least this often when few records rotate, so a crash loses little */
  readonly commitIntervalMs: number;
  /** tasks in flight (a small multiple of the pool size) */
  readonly window: number;
  readonly signal: AbortSignal | undefined;
  /** updated_at of written records, "YYYY-MM-DD HH:MM:SS" UTC */
  readonly updatedAt: () => string;
  /** runs once, before the first write (the backup) */
  readonly beforeFirstWrite: () => Promise<void>;
  /** results the check before the run already has (its sample): taken instead of a derivation */
  readonly known?: SampledResults | undefined;
  /** before each batch is written (the checkpoint notes what it is about to commit) */
  readonly beforeCommit?: ((updates: readonly ValueUpdate[]) => void) | undefined;
  /**
   * A record that does not open with the old password but holds a value an
   * interrupted run of this rotation wrote (committed after its last
   * checkpoint): rotated by this rotation, not skipped.
   */
  readonly writtenEarlier?: ((key: string, value: string) => boolean) | undefined;
  /**
   * Writes a batch in place of `store.writeBatch`; given, it is called for
   * batches without updates too (a distributed run commits its cursor, counts
   * and visit fingerprints in the same transaction as each batch). `cursor`:
   * the last record the commit covers.
   */
  readonly commitBatch?: (
    updates: readonly ValueUpdate[],
    commit: { readonly updatedAt: string; readonly cursor: string | null },
  ) => Promise<WriteBatchResult>;
  /** after each commit: every record up to `cursor` is done */
  readonly onCommit: (cursor: string | null) => void;
  /** after each record is accounted for (progress) */
  readonly onRecord: () => void;
  /** how often the host thread collects its garbage (default HOST_COLLECTION_BUDGET) */
  readonly collectionBudget?: CollectionBudget | undefined;
}

/**
 * The host thread's garbage (records read, values sent, results back) is
 * promoted while it waits in the window, so V8's old generation grew to 3-5
 * times what is alive before it collected (36 MiB for 7 MiB at 1,000,000
 * records, issue 20). A full collection of that small heap every so many
 * records keeps it near what is alive (docs/performance.md, "Memory").
 */
export const HOST_COLLECTION_BUDGET: CollectionBudget = {
  tasks: 2048,
  bytes: 16 * 1024 * 1024,
};

/** Counts of this run. `rotated` and guard failures count once committed. */
export interface PipelineCounts extends RecordCounts {
  readonly derivations: number;
  readonly derivationsDiscarded: number;
  /** of `failed`: guarded writes lost to another program's write */
  readonly changedConcurrently: number;
  /** of `failed`: writes a trigger changed or undid (the record may still hold an old-password value) */
  readonly undoneWrites: number;
}

/** Defaults of the byte bounds (see PipelineSettings). */
export const BATCH_MAX_BYTES = 16 * 1024 * 1024;
export const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

interface PendingWrite {
  readonly update: ValueUpdate;
  readonly id: string;
}

export class RotationPipeline {
  readonly counts: Tally<PipelineCounts> = {
    ...NO_COUNTS,
    derivations: 0,
    derivationsDiscarded: 0,
    changedConcurrently: 0,
    undoneWrites: 0,
  };
  readonly failures: RecordFailure[] = [];
  /** every record up to this key is done and committed */
  cursor: string | null;
  /** the counts as of `cursor` (what a checkpoint may record) */
  committed: RecordCounts = NO_COUNTS;

  private readonly settings: PipelineSettings;
  private batch: PendingWrite[] = [];
  private batchBytes = 0;
  /** id of the last record accounted for in order (committed at the next flush) */
  private lastAccounted: string | null;
  private accountedSinceCommit = 0;
  private lastCommitAt = performance.now();
  private wroteOnce = false;
  /** the host thread's full collections on a budget of records and bytes */
  readonly collector: PeriodicCollector;

  constructor(settings: PipelineSettings) {
    this.settings = settings;
    this.collector = new PeriodicCollector(
      undefined,
      settings.collectionBudget ?? HOST_COLLECTION_BUDGET,
    );
    this.cursor = settings.scope.afterKey;
    this.lastAccounted = settings.scope.afterKey;
  }

  /** Resolves `cancelled: true` when the signal stopped it before the end. */
  async run(): Promise<{ cancelled: boolean }> {
    const { pool, signal, records } = this.settings;
    const { cancelled, leftOver } = await runBoundedWindow({
      next: () => records.next(),
      isDone: () => records.done,
      start: (record) => {
        const known = this.settings.known?.take(record);
        return known ? Promise.resolve(known) : pool.run(this.taskFor(record));
      },
      ordered: true,
      window: this.settings.window,
      maxInFlightBytes: this.settings.maxInFlightBytes ?? MAX_IN_FLIGHT_BYTES,
      // the value read, and the new one once it is back
      itemBytes: (record) => record.value.length,
      resultBytes: ({ outcome }) => (outcome.kind === 'rotated' ? outcome.newValue.length : 0),
      isAborted: ({ outcome }) => outcome.kind === 'aborted',
      onArrival: (result) => {
        this.counts.derivations += result.derivations;
      },
      onResult: (record, result) => {
        this.account(record, result);
        const { outcome } = result;
        this.collector.taskDone(
          record.value.length + (outcome.kind === 'rotated' ? outcome.newValue.length : 0),
        );
        return this.shouldFlush() ? this.flush() : undefined;
      },
      signal,
      onAbort: () => pool.abort(),
    });
    // Finished after the first unfinished record: dropped, redone on resume.
    for (const result of leftOver) this.counts.derivationsDiscarded += result.derivations;
    await this.flush();
    return { cancelled };
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
        // Its place in the ledger is taken in key order now (typed arrays, not the Map for
        // out-of-order keys); the value it holds is known once the batch commits.
        this.settings.ledger?.forget(record.key);
        this.batch.push({
          update: { key: record.key, expectedValue: record.value, newValue: outcome.newValue },
          id: record.id,
        });
        this.batchBytes += record.value.length + outcome.newValue.length;
        break;
      case 'opened':
        // dry run: what would rotate
        this.counts.opened++;
        this.counts.rotated++;
        this.settings.ledger?.leave(record.key, record.value);
        break;
      case 'not-opened':
        if (this.settings.writtenEarlier?.(record.key, record.value)) {
          this.counts.opened++;
          this.counts.rotated++;
          this.counts.bytes += record.value.length;
        } else {
          this.counts.skipped++;
        }
        this.settings.ledger?.leave(record.key, record.value);
        break;
      case 'malformed':
        this.recordFailure({ id: record.id, reason: 'malformed', detail: outcome.detail });
        this.settings.ledger?.leave(record.key, record.value);
        break;
      case 'aborted':
      case 'probed':
      case 'sealed':
        throw new Error(`unexpected outcome ${outcome.kind} for a rotation task`);
    }
    this.lastAccounted = record.key;
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
      this.batchBytes >= (this.settings.batchMaxBytes ?? BATCH_MAX_BYTES) ||
      (this.accountedSinceCommit > 0 &&
        performance.now() - this.lastCommitAt >= this.settings.commitIntervalMs)
    );
  }

  /**
   * Written records that no longer hold what was written (read back after
   * the commit), with what they hold now (null: gone).
   */
  private async undoneWrites(
    written: readonly string[],
    byKey: Map<string, PendingWrite>,
  ): Promise<Map<string, string | null>> {
    const undone = new Map<string, string | null>();
    for (const key of written) {
      const now = await this.settings.store.readRecord(this.settings.scope.table, key, {
        includeSoftDeleted: true,
      });
      if (now?.value !== byKey.get(key)!.update.newValue) undone.set(key, now?.value ?? null);
    }
    return undone;
  }

  /** Commits the batch (one guarded transaction) and moves the cursor to the last record accounted for. */
  private async flush(): Promise<void> {
    if (this.settings.dryRun || this.accountedSinceCommit === 0) return;
    const batch = this.batch;
    const { commitBatch } = this.settings;
    if (batch.length > 0 || commitBatch) {
      if (!this.wroteOnce && batch.length > 0) {
        await this.settings.beforeFirstWrite();
        this.wroteOnce = true;
      }
      const { store, scope } = this.settings;
      const updates = batch.map((pending) => pending.update);
      this.settings.beforeCommit?.(updates);
      const updatedAt = this.settings.updatedAt();
      const result = commitBatch
        ? await commitBatch(updates, { updatedAt, cursor: this.lastAccounted })
        : await store.writeBatch(scope.table, updates, updatedAt);
      assertBatchAccounted(
        updates.map((update) => update.key),
        result,
        { table: scope.table, vault: store.path },
      );
      const { written, guardFailed } = result;
      const byKey = new Map(batch.map((pending) => [pending.update.key, pending]));
      const undone = this.settings.readBackWrites
        ? await this.undoneWrites(written, byKey)
        : new Map<string, string | null>();
      this.counts.rotated += written.length - undone.size;
      this.counts.undoneWrites += undone.size;
      for (const [key, valueNow] of undone) {
        // What the trigger left is this run's doing, not another program's: a sweep must not redo it
        // (on a server, every round would write it again, the trigger undo it again, and count it again).
        if (valueNow === null) this.settings.ledger?.forget(key);
        else this.settings.ledger?.leave(key, valueNow);
        this.recordFailure({
          id: byKey.get(key)!.id,
          reason: 'changed-concurrently',
          detail:
            'a trigger on the table changed the record right after the rotation wrote it, so it does not hold ' +
            'the re-encrypted value; review the trigger, then run the rotation again',
        });
      }
      for (const key of written) {
        if (undone.has(key)) continue;
        const newValue = byKey.get(key)!.update.newValue;
        this.counts.bytes += newValue.length;
        this.settings.ledger?.leave(key, newValue);
        this.settings.onWritten?.(key, newValue);
      }
      for (const key of guardFailed) {
        this.settings.ledger?.forget(key);
        this.counts.changedConcurrently++;
        this.recordFailure({
          id: byKey.get(key)!.id,
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
    this.committed = recordCountsOf(this.counts);
    this.settings.onCommit(this.cursor);
  }
}
