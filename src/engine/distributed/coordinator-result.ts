/**
 * The coordinator's end: the result built from the ledger's counts, and
 * the ledger dropped once the rotation finished (unless kept).
 */
import type { RotationStatus } from '../rotation/types.js';
import type { Driven } from './coordinator-drive.js';
import type { Ledger } from './ledger/ledger.js';
import { sumShardCounts } from './ledger/rows.js';
import { WORKER_LOST_AFTER_MS, WORKER_STATE } from '../../core/distributed.js';
import type { DistributedResult, WorkerRow, WorkerSummary } from './types.js';

/** A worker's line in the result; one the ledger still has working but that went silent is lost. */
export function summaryOf(worker: WorkerRow, nowMs: number): WorkerSummary {
  const { worker: id, host, pool, backend, records } = worker;
  const silent = nowMs - worker.lastSeenMs > WORKER_LOST_AFTER_MS;
  const state = worker.state === WORKER_STATE.working && silent ? WORKER_STATE.lost : worker.state;
  return { worker: id, host, pool, backend, records, state };
}

export function resultOf(
  driven: Driven,
  started: number,
  notes: readonly string[],
  workers: DistributedResult['distributed']['workers'],
): DistributedResult {
  const { rotation, shards } = driven;
  const counts = sumShardCounts(shards);
  const rotated = counts.rotated + counts.sweepRotated;
  const opened = counts.opened;
  const status: RotationStatus =
    driven.status === 'completed' && rotated === 0 && opened === 0
      ? 'nothing-opened'
      : driven.status;
  const sweepRounds = Math.max(0, rotation.round);
  return {
    status,
    table: rotation.table,
    dryRun: false,
    scanned: counts.scanned,
    rotated,
    skipped: counts.skipped,
    failed: counts.failed + counts.sweepFailed,
    // Record ids are not kept in the ledger's counts: the count is exact, the list empty.
    failures: [],
    seconds: (performance.now() - started) / 1000,
    backupPath: null,
    checkpointPath: null,
    derivations: counts.derivations,
    opened,
    coverage: {
      rowsAtStart: rotation.rowsAtStart,
      visited: counts.scanned,
      foreignWrites: shards.some((shard) => shard.roundFound > 0) || counts.sweepExamined > 0,
    },
    ...(sweepRounds > 0 && {
      sweep: {
        rounds: sweepRounds,
        examined: counts.sweepExamined,
        changed: shards.reduce((sum, shard) => sum + shard.roundFound, 0),
        inserted: 0,
        deleted: shards.reduce((sum, shard) => sum + shard.roundDeleted, 0),
        rotated: counts.sweepRotated,
        stillWriting: driven.status === 'incomplete',
      },
    }),
    notes,
    distributed: { rotation: rotation.id, shards: shards.length, sweepRounds, workers },
  };
}

/** The rotation's rows (and the tables, when no other rotation uses them); a failure only leaves them. */
export async function dropLedger(ledger: Ledger, rotation: string, notes: string[]): Promise<void> {
  try {
    await ledger.dropIfUnused(rotation);
  } catch (error) {
    notes.push(
      `The ledger tables were kept (dropping them failed: ${error instanceof Error ? error.message : String(error)}); ` +
        'they hold no secret and may be dropped by hand (vsa_rotation, vsa_shard, vsa_visit, vsa_worker).',
    );
  }
}
