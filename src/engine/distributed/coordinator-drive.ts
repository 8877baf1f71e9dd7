/**
 * The coordinator's watch loop: each step reads the ledger afresh, notes the
 * coordinator alive, reports progress, judges the round (next sweep round or
 * the end), and enqueues again the jobs the queue lost.
 */
import { scopeFilter } from '../rotation/job/record-scope.js';
import { MAX_CONNECTION_FAILURES, type TargetConnection } from './connection.js';
import type { CoordinateOptions } from './coordinator-options.js';
import { failingShards, sumShardCounts } from './ledger/rows.js';
import { shardJobId } from './queue/index.js';
import type { ShardJob, ShardQueue } from './queue/index.js';
import { pause, type OpenedTarget } from './target.js';
import type { DistributedProgress, RotationRow, ShardRow } from './types.js';
import { judgeRound } from './union-proof.js';

/** How often the coordinator notes it is alive (an UPDATE of the rotation row, which batches share-lock). */
const HEARTBEAT_MS = 2000;

/** Between attempts to reach the database again. */
const RECONNECT_PAUSE_MS = 1000;

/** The jobs of a round for the shards that have not finished it. */
function jobsOf(rotation: RotationRow, shards: readonly ShardRow[]): ShardJob[] {
  return shards
    .filter((shard) => !(shard.round === rotation.round && shard.done))
    .map((shard) => ({
      rotation: rotation.id,
      phase: rotation.round === 0 ? ('pass' as const) : ('sweep' as const),
      round: rotation.round,
      shard: shard.shard,
    }));
}

/** Each worker with the shard of this round it holds (owner of, not done), if any. */
export function withHeldShards(
  rotation: RotationRow,
  shards: readonly ShardRow[],
  workers: DistributedProgress['workers'],
): DistributedProgress['workers'] {
  return workers.map((worker) => {
    const held = shards.find(
      (shard) => shard.owner === worker.worker && shard.round === rotation.round && !shard.done,
    );
    return { ...worker, shard: held?.shard ?? null };
  });
}

/** Throttled progress, read from the ledger. */
function progressOf(
  rotation: RotationRow,
  shards: readonly ShardRow[],
  workers: DistributedProgress['workers'],
): DistributedProgress {
  const counts = sumShardCounts(shards);
  return {
    rotation: rotation.id,
    phase: rotation.round === 0 ? 'pass' : 'sweep',
    round: rotation.round,
    total: rotation.rowsAtStart,
    scanned: counts.scanned,
    rotated: counts.rotated + counts.sweepRotated,
    skipped: counts.skipped,
    failed: counts.failed + counts.sweepFailed,
    shards: shards.length,
    shardsDone: shards.filter((shard) => shard.round === rotation.round && shard.done).length,
    workers: withHeldShards(rotation, shards, workers),
    failing: failingShards(shards),
  };
}

export interface Driven {
  readonly status: 'completed' | 'incomplete' | 'cancelled';
  readonly rotation: RotationRow;
  readonly shards: readonly ShardRow[];
}

/**
 * Drives the rounds until the rotation ends or stops; cancels it when the
 * signal aborts. Each step reads the ledger afresh, so a step lost with its
 * connection is simply taken again on a new one.
 */
export async function drive(
  options: CoordinateOptions,
  connection: TargetConnection,
  queue: ShardQueue,
  start: RotationRow,
  coordinator: string,
): Promise<Driven> {
  const poll = options.pollIntervalMs ?? 250;
  const clock = { progress: 0, requeue: performance.now(), heartbeat: 0 };
  let enqueued = false;
  let queueFailures = 0;
  /**
   * A queue operation that may fail while Redis restarts: the ledger keeps
   * the truth, and what did not reach the queue is enqueued again by the
   * check for lost jobs. Many failures in a row end the coordinator.
   */
  const tolerant = async (work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      queueFailures = 0;
      return true;
    } catch (error) {
      if (++queueFailures >= MAX_CONNECTION_FAILURES) throw error;
      return false;
    }
  };
  const step = async ({ ledger, store, table }: OpenedTarget): Promise<Driven | 'again'> => {
    if (!enqueued) {
      const jobs = jobsOf(start, await ledger.shards(start.id));
      await tolerant(() => queue.enqueue(jobs));
      enqueued = true;
    }
    if (options.signal?.aborted) await ledger.setState(start.id, 'cancelled', ['running']);
    if (performance.now() - clock.heartbeat >= HEARTBEAT_MS) {
      clock.heartbeat = performance.now();
      await ledger.heartbeat(start.id, coordinator);
    }
    const rotation = (await ledger.rotation(start.id))!;
    const shards = await ledger.shards(rotation.id);
    if (rotation.state !== 'running') {
      // Cancelled (here or by the cancel command): jobs still waiting are dropped, running ones stopped.
      await tolerant(() => queue.cancel(rotation.id));
      return { status: 'cancelled', rotation, shards };
    }
    const progressEvery = options.progressIntervalMs ?? 1000;
    if (options.onProgress && performance.now() - clock.progress >= progressEvery) {
      clock.progress = performance.now();
      options.onProgress(progressOf(rotation, shards, await ledger.workers(rotation.id)));
    }
    const verdict = await judgeRound(rotation, shards, () =>
      store.countRecords(
        table,
        scopeFilter({
          table,
          includeSoftDeleted: rotation.includeSoftDeleted,
          now: rotation.now,
          afterKey: null,
        }),
      ),
    );
    if (verdict.kind === 'finish') return { status: verdict.status, rotation, shards };
    if (verdict.kind === 'next') {
      await ledger.setRound(rotation.id, verdict.round);
      await tolerant(() => queue.enqueue(jobsOf({ ...rotation, round: verdict.round }, shards)));
      return 'again';
    }
    if (performance.now() - clock.requeue >= (options.requeueIntervalMs ?? 5000)) {
      clock.requeue = performance.now();
      await tolerant(() => requeueLost(queue, rotation, shards));
    }
    await pause(poll, options.signal);
    return 'again';
  };
  for (;;) {
    const driven = await connection.attempt(step);
    if (driven !== null && driven !== 'again') return driven;
    // A broken connection: the next step opens a new one (and takes the lock again).
    if (driven === null) await pause(RECONNECT_PAUSE_MS);
  }
}

/** Jobs of unfinished shards Redis no longer holds (lost with its data, or failed for good): enqueued again. */
async function requeueLost(
  queue: ShardQueue,
  rotation: RotationRow,
  shards: readonly ShardRow[],
): Promise<void> {
  const held = new Set((await queue.held(rotation.id)).map(shardJobId));
  const lost = jobsOf(rotation, shards).filter((job) => !held.has(shardJobId(job)));
  if (lost.length > 0) await queue.enqueue(lost);
}
