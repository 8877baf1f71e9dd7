/**
 * The status, cancel and check commands: they read and write the ledger
 * (and the check PINGs Redis), no vault password. Cancel marks the rotation
 * cancelled: every worker's next batch is fenced out and each leaves within
 * a poll; committed batches stay and the rotation resumes from the ledger.
 */
import { NO_SHARD_COUNTS, failingShards, sumShardCounts } from './ledger/rows.js';
import { pingQueue } from './queue/index.js';
import type { QueueChoice } from './queue-name.js';
import { openTarget, type OpenedTarget } from './target.js';
import type { DistributedStatus, DistributedTarget, RotationRow } from './types.js';

async function statusOfRotation(
  { ledger }: OpenedTarget,
  rotation: RotationRow,
): Promise<DistributedStatus> {
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
    openConfig: rotation.openConfig,
    writeConfig: rotation.writeConfig,
    includeSoftDeleted: rotation.includeSoftDeleted,
    workers: await ledger.workers(rotation.id),
    failing: failingShards(shards),
  };
}

async function statusOf(opened: OpenedTarget): Promise<DistributedStatus | null> {
  const { ledger, table } = opened;
  if (!(await ledger.exists())) return null;
  const rotation = (await ledger.activeRotation(table)) ?? (await ledger.latestRotation(table));
  return rotation ? statusOfRotation(opened, rotation) : null;
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

/** What a distributed rotation of the table would start from (checkDistributedRotation). */
export interface DistributedReadiness {
  /** Redis answered a PING with the settings given */
  readonly queueAnswered: true;
  /** the ledger tables exist, or this login may create them (nothing was created) */
  readonly ledger: 'exists' | 'can-create';
  /** the table's running or cancelled distributed rotation (resume or cancel it), or null */
  readonly unfinished: DistributedStatus | null;
}

/**
 * The checks before a distributed rotation, changing nothing: the table opens (a SQLite file:
 * DISTRIBUTED_SQLITE), the ledger exists or may be created (LEDGER_PERMISSION), the table's
 * unfinished distributed rotation, else no other rotation holds the table (ROTATION_IN_PROGRESS),
 * and Redis answers (QUEUE_UNREACHABLE, QUEUE_AUTH).
 */
export function checkDistributedRotation(
  target: DistributedTarget,
  queue: QueueChoice,
): Promise<DistributedReadiness> {
  return withTarget(target, true, async (opened) => {
    const ledger = await opened.ledger.readiness();
    const active = ledger === 'exists' ? await opened.ledger.activeRotation(opened.table) : null;
    const unfinished = active ? await statusOfRotation(opened, active) : null;
    // None unfinished: no other rotation may hold the table either (one machine's, or a
    // coordinator's planning): the lock the rotation would take, taken and given back at once.
    if (!unfinished && opened.store.lockForRotation) {
      const release = await opened.store.lockForRotation(opened.table);
      await release();
    }
    await pingQueue(queue);
    return { queueAnswered: true, ledger, unfinished };
  });
}
