/**
 * How a distributed rotation's ledger figures read on screen: each worker's
 * state in words (lost, refused), the whole rotation's rate and time left,
 * the shards done / active / pending. Pure, so the tests can feed it ledger
 * figures as main sends them.
 */
import {
  WORKER_LOST_AFTER_MS,
  WORKER_STATE,
  type DistributedProgress,
  type WorkerRow,
} from '../../core/distributed.js';
import type { RateSample } from './rate-history.js';

export { WORKER_LOST_AFTER_MS };

export type WorkerLook = 'working' | 'lost' | 'refused' | 'left' | 'other';

export interface WorkerView {
  readonly id: string;
  readonly host: string;
  readonly pool: number;
  readonly backend: string;
  /** Argon2id runs in WebAssembly there (the native module did not load): several times slower */
  readonly wasm: boolean;
  readonly look: WorkerLook;
  readonly stateText: string;
  /** records/s lately; 0 for a worker that is not working */
  readonly rate: number;
  readonly records: number;
  /** the shard it works on, when the ledger says */
  readonly shard: number | null;
}

/** The shard a worker holds, as the progress names it (null: none, or not said). */
function shardOf(row: WorkerRow): number | null {
  return typeof row.shard === 'number' ? row.shard : null;
}

function lookOf(row: WorkerRow, nowMs: number): WorkerLook {
  // Refused and left are final; a worker not seen for longer than the queue's lock time has lost its shard.
  if (row.state === WORKER_STATE.refused) return 'refused';
  if (row.state === WORKER_STATE.left) return 'left';
  if (row.state === WORKER_STATE.lost) return 'lost';
  if (nowMs - row.lastSeenMs > WORKER_LOST_AFTER_MS) return 'lost';
  return row.state === WORKER_STATE.working ? 'working' : 'other';
}

const LOOK_TEXT: Record<Exclude<WorkerLook, 'other'>, string> = {
  working: 'working',
  lost: 'lost',
  refused: 'refused: wrong password',
  left: 'left',
};

/** Each worker as the table shows it, at `nowMs` (main's clock when it read the ledger). */
export function workerViews(workers: readonly WorkerRow[], nowMs: number): WorkerView[] {
  return workers.map((row) => {
    const look = lookOf(row, nowMs);
    return {
      id: row.worker,
      host: row.host,
      pool: row.pool,
      backend: row.backend,
      wasm: row.backend.toLowerCase().includes('wasm'),
      look,
      stateText: look === 'other' ? row.state : LOOK_TEXT[look],
      rate: look === 'working' ? Math.max(0, row.rate) : 0,
      records: row.records,
      shard: look === 'working' ? shardOf(row) : null,
    };
  });
}

export interface ShardTally {
  readonly done: number;
  readonly active: number;
  readonly pending: number;
}

/** Active: shards a working worker holds (or, when rows name no shard, one per working worker). */
export function shardTally(
  progress: DistributedProgress,
  views: readonly WorkerView[],
): ShardTally {
  const working = views.filter((view) => view.look === 'working');
  const named = new Set(working.flatMap((view) => (view.shard === null ? [] : [view.shard])));
  const open = Math.max(0, progress.shards - progress.shardsDone);
  const active = Math.min(open, named.size > 0 ? named.size : working.length);
  return { done: progress.shardsDone, active, pending: open - active };
}

/** The whole rotation's rate: the sum of its working workers' recent rates. */
export function totalRate(views: readonly WorkerView[]): number {
  return views.reduce((sum, view) => sum + view.rate, 0);
}

/** ms left at `rate`, or null when nothing says yet (no rate, or no total). */
export function etaMs(progress: DistributedProgress, rate: number): number | null {
  if (rate <= 0 || progress.total <= 0) return null;
  return (Math.max(0, progress.total - progress.scanned) / rate) * 1000;
}

/** The chart's sample for one ledger reading, `startMs` being the job's first reading. */
export function rateSampleOf(
  views: readonly WorkerView[],
  atMs: number,
  startMs: number,
): RateSample {
  const workers: Record<string, number> = {};
  // A lost worker's line drops to 0; one that left or was refused draws no more.
  for (const view of views) {
    if (view.look === 'working' || view.look === 'lost') workers[view.id] = view.rate;
  }
  return { tMs: atMs - startMs, total: totalRate(views), workers };
}
