/**
 * One run of one shard for one round: claim it (epoch bump), then the
 * single-machine pipeline over its range (cursor, hi] (the main pass) or
 * over what changed in (lo, hi] since the ledger's fingerprints (a sweep
 * round), each batch committed with its fenced ledger update in the same
 * transaction. A fenced or stopped commit rolls back and the run leaves
 * quietly: another run owns the shard, or the rotation stopped.
 */
import { EngineError, isEngineError } from '../errors.js';
import type { CryptoPool } from '../pool/crypto-pool.js';
import { windowFor } from '../rotation/job/pool-size.js';
import {
  BATCH_MAX_BYTES,
  MAX_IN_FLIGHT_BYTES,
  RotationPipeline,
} from '../rotation/run/pipeline.js';
import type { RecordScope } from '../rotation/job/record-scope.js';
import { RecordReader } from '../rotation/run/record-reader.js';
import { recordCountsOf } from '../rotation/job/record-counts.js';
import { PAGE_MAX_BYTES } from '../rotation/run/rotation-run.js';
import { ChangedRecords } from '../rotation/run/sweep.js';
import { UNKNOWN_MARK, VisitLedger, valueFingerprint } from '../rotation/run/visit-ledger.js';
import { formatSqliteDateTime, writeCadenceOf } from '../storage/index.js';
import type { ValueUpdate, VaultStore, WriteBatchResult } from '../storage/types.js';
import type { Ledger } from './ledger/ledger.js';
import { FencedOut, type ShardClaim, type VisitEntry } from './ledger/types.js';
import type { ShardJob } from './queue/index.js';
import type { RotationRow, ShardCounts } from './types.js';

export interface ShardRunSettings {
  /** this worker's own connection to the vault (the batches and their ledger updates) */
  readonly store: VaultStore;
  readonly ledger: Ledger;
  readonly rotation: RotationRow;
  readonly job: ShardJob;
  readonly owner: string;
  readonly pool: CryptoPool;
  readonly keyKind: 'rowid' | 'id';
  readonly signal?: AbortSignal | undefined;
  readonly batchSize?: number | undefined;
  readonly commitIntervalMs?: number | undefined;
  /** each record accounted for (progress) */
  readonly onRecord?: (() => void) | undefined;
  /**
   * a batch committed with its ledger update: the records it accounted for (a fenced batch
   * rolls back and is not told, so a worker's totals count only work that stayed)
   */
  readonly onCommitted?: ((records: number) => void) | undefined;
  /**
   * awaited before the shard is marked done: a worker's own row is current by the time the
   * coordinator can see the round end (and read the workers for its result)
   */
  readonly beforeFinish?: (() => Promise<unknown>) | undefined;
}

const recordsIn = (counts: ShardCounts): number => counts.scanned + counts.sweepExamined;

export type ShardRunOutcome = 'done' | 'fenced' | 'stopped' | 'skipped';

export interface ShardRunReport {
  readonly outcome: ShardRunOutcome;
  /** records this run accounted for */
  readonly scanned: number;
  readonly derivations: number;
}

/** Keeps what each batch left in its records until the batch's ledger update takes them. */
class RecordingLedger extends VisitLedger {
  private pending = new Map<string, number>();
  private sent = new Map<string, number>();

  override leave(key: string, value: string): void {
    super.leave(key, value);
    const mark = valueFingerprint(value);
    // The pipeline notes a written value after its commit: the batch's update carried it already.
    if (this.sent.get(key) !== mark) this.pending.set(key, mark);
  }

  override forget(key: string): void {
    super.forget(key);
    this.pending.set(key, UNKNOWN_MARK);
  }

  /** The batch's entries: records accounted for since the last commit, written ones with their new value. */
  entries(updates: readonly ValueUpdate[], result: WriteBatchResult): VisitEntry[] {
    const marks = new Map(this.pending);
    const byKey = new Map(updates.map((update) => [update.key, update.newValue]));
    for (const key of result.written) marks.set(key, valueFingerprint(byKey.get(key)!));
    for (const key of result.guardFailed) marks.set(key, UNKNOWN_MARK);
    return [...marks];
  }

  /** The batch committed: its entries are in the ledger. */
  committed(entries: readonly VisitEntry[]): void {
    this.pending = new Map();
    this.sent = new Map(entries);
  }
}

/** The shard's counts after a commit: as claimed, plus this run's up to the commit. */
function countsAfter(
  base: ShardCounts,
  pipeline: RotationPipeline,
  sweep: boolean,
  batch: { updates: readonly ValueUpdate[]; result: WriteBatchResult },
): ShardCounts {
  const run = recordCountsOf(pipeline.counts);
  const written = new Set(batch.result.written);
  const writtenBytes = batch.updates
    .filter((update) => written.has(update.key))
    .reduce((sum, update) => sum + update.newValue.length, 0);
  const lost = batch.result.guardFailed.length;
  const rotated = run.rotated + written.size;
  const failed = run.failed + lost;
  const derivations = pipeline.counts.derivations;
  if (sweep) {
    return {
      ...base,
      bytes: base.bytes + run.bytes + writtenBytes,
      derivations: base.derivations + derivations,
      sweepExamined: base.sweepExamined + run.scanned,
      sweepRotated: base.sweepRotated + rotated,
      sweepFailed: base.sweepFailed + failed,
    };
  }
  return {
    ...base,
    scanned: base.scanned + run.scanned,
    opened: base.opened + run.opened,
    rotated: base.rotated + rotated,
    skipped: base.skipped + run.skipped,
    failed: base.failed + failed,
    changed: base.changed + pipeline.counts.changedConcurrently + lost,
    bytes: base.bytes + run.bytes + writtenBytes,
    derivations: base.derivations + derivations,
  };
}

/** The ledger's marks of the shard, as a sweep compares the records with them. */
async function restoredLedger(ledger: Ledger, claim: ShardClaim): Promise<RecordingLedger> {
  const visits = new RecordingLedger();
  for (const batch of await ledger.visits(claim.rotation, claim.shard)) {
    for (const [key, mark] of batch) visits.restore(key, mark);
  }
  return visits;
}

export async function runShard(settings: ShardRunSettings): Promise<ShardRunReport> {
  const { ledger, rotation, job, store, pool } = settings;
  const claim = await ledger.claim(rotation.id, job.shard, job.round, settings.owner);
  if (!claim) return { outcome: 'skipped', scanned: 0, derivations: 0 };
  const sweep = job.phase === 'sweep';
  const { row } = claim;
  const scope: RecordScope = {
    table: rotation.table,
    includeSoftDeleted: rotation.includeSoftDeleted,
    now: rotation.now,
    // The pass continues after its cursor; a sweep round re-reads the whole range.
    afterKey: sweep ? row.lo : (row.cursor ?? row.lo),
    upToKey: row.hi,
  };
  const visits = sweep ? await restoredLedger(ledger, claim) : new RecordingLedger();
  const visitedBefore = visits.size;
  const window = windowFor(pool.size);
  const pageSize = Math.max(16, window * 2);
  const reader = new RecordReader(store, {
    scope,
    pageSize,
    pageMaxBytes: PAGE_MAX_BYTES,
    keyKind: settings.keyKind,
  });
  const source = sweep ? new ChangedRecords(reader, visits) : reader;
  const cadence = writeCadenceOf(store.driver);
  let seq = 0;
  let pipeline: RotationPipeline | null = null;
  let counts: ShardCounts = row;
  const commitBatch = async (
    updates: readonly ValueUpdate[],
    commit: { updatedAt: string; cursor: string | null },
  ): Promise<WriteBatchResult> => {
    let entries: VisitEntry[] = [];
    let committedRecords = 0;
    const result = await store.writeBatch(
      scope.table,
      updates,
      commit.updatedAt,
      async (sql, written) => {
        entries = visits.entries(updates, written);
        const after = countsAfter(row, pipeline!, sweep, { updates, result: written });
        await ledger.within(sql).commitBatch(claim, {
          cursor: commit.cursor,
          counts: after,
          seq: seq++,
          visits: entries,
        });
        committedRecords = recordsIn(after) - recordsIn(counts);
        counts = after;
      },
    );
    visits.committed(entries);
    settings.onCommitted?.(committedRecords);
    return result;
  };
  pipeline = new RotationPipeline({
    store,
    scope,
    pool,
    records: source,
    dryRun: false,
    ledger: visits,
    batchSize: settings.batchSize ?? cadence.batchSize,
    batchMaxBytes: BATCH_MAX_BYTES,
    maxInFlightBytes: MAX_IN_FLIGHT_BYTES,
    commitIntervalMs: settings.commitIntervalMs ?? cadence.commitIntervalMs,
    window,
    signal: settings.signal,
    updatedAt: () => formatSqliteDateTime(new Date()),
    beforeFirstWrite: () => Promise.resolve(),
    commitBatch,
    onCommit: () => undefined,
    onRecord: () => settings.onRecord?.(),
  });
  const report = (outcome: ShardRunOutcome): ShardRunReport => ({
    outcome,
    scanned: pipeline.counts.scanned,
    derivations: pipeline.counts.derivations,
  });
  try {
    const { cancelled } = await pipeline.run();
    if (cancelled) return report('stopped');
    const read = sweep ? (source as ChangedRecords).read : counts.scanned;
    const found = sweep
      ? (source as ChangedRecords).changed +
        (source as ChangedRecords).inserted +
        pipeline.counts.changedConcurrently
      : 0;
    await settings.beforeFinish?.();
    // A pass with nothing to commit since its last batch still finishes with its counts.
    await ledger.finishShard(claim, {
      counts: sweep
        ? counts
        : { ...counts, derivations: row.derivations + pipeline.counts.derivations },
      read,
      found,
      opened: sweep ? pipeline.counts.opened : counts.opened,
      // Visited by a run of this rotation and no longer read: gone (deleted, or soft-deleted out of scope).
      deleted: sweep ? visitedBefore - (source as ChangedRecords).present : 0,
    });
    return report('done');
  } catch (error) {
    if (error instanceof FencedOut) return report('fenced');
    // Codes only in the ledger: a message could name a record.
    await ledger
      .noteFailure(claim, isEngineError(error) ? error.code : 'INTERNAL')
      .catch(() => undefined);
    throw error instanceof Error ? error : new EngineError('INTERNAL', String(error));
  }
}
