/**
 * The status and cancel commands: they read and write the ledger only
 * (no queue, no password beyond the database's). Cancel marks the rotation
 * cancelled: every worker's next batch is fenced out and each leaves within
 * a poll; committed batches stay and the rotation resumes from the ledger.
 */
import { NO_SHARD_COUNTS, failingShards, sumShardCounts } from './ledger/rows.js';
import { openTarget, type OpenedTarget } from './target.js';
import type { DistributedStatus, DistributedTarget } from './types.js';

async function statusOf(opened: OpenedTarget): Promise<DistributedStatus | null> {
  const { ledger, table } = opened;
  if (!(await ledger.exists())) return null;
  const rotation = (await ledger.activeRotation(table)) ?? (await ledger.latestRotation(table));
  if (!rotation) return null;
  const shards = await ledger.shards(rotation.id);
  return {
    rotation: rotation.id,
    table: rotation.table,
    state: rotation.state,
    round: rotation.round,
    rowsAtStart: rotation.rowsAtStart,
    shards: shards.length,
    shardsDone: shards.filter((shard) => shard.round === rotation.round && shard.done).length,
    counts: shards.length > 0 ? sumShardCounts(shards) : NO_SHARD_COUNTS,
    coordinator: rotation.coordinator,
    heartbeatMs: rotation.heartbeatMs,
    startedMs: rotation.startedMs,
    workers: await ledger.workers(rotation.id),
    failing: failingShards(shards),
  };
}

async function withTarget<T>(
  target: DistributedTarget,
  readOnly: boolean,
  work: (opened: OpenedTarget) => Promise<T>,
): Promise<T> {
  const opened = await openTarget(target, undefined, readOnly);
  try {
    return await work(opened);
  } finally {
    await opened.store.close();
  }
}

/** The table's unfinished distributed rotation, else its latest kept one; null when there is none. */
export function readRotationStatus(target: DistributedTarget): Promise<DistributedStatus | null> {
  return withTarget(target, true, statusOf);
}

/** Cancels the table's running distributed rotation; returns its status after (null: none). */
export function cancelRotation(target: DistributedTarget): Promise<DistributedStatus | null> {
  return withTarget(target, false, async (opened) => {
    if (!(await opened.ledger.exists())) return null;
    const rotation = await opened.ledger.activeRotation(opened.table);
    if (!rotation) return statusOf(opened);
    await opened.ledger.setState(rotation.id, 'cancelled', ['running']);
    return statusOf(opened);
  });
}
