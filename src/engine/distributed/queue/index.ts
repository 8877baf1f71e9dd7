/** The distributed rotation's work queue: the interface and its BullMQ (Redis) adapter. */
import type { QueueSettings, ShardQueue } from './types.js';

export { parseQueueUrl } from './queue-url.js';
export type { QueueAddress } from './queue-url.js';
export { QUEUE_PREFIX, shardJobId } from './shard-job.js';
export type {
  QueueSettings,
  ServeOptions,
  ShardAbortReason,
  ShardJob,
  ShardPhase,
  ShardQueue,
  ShardQueueWorker,
} from './types.js';

/**
 * Opens the queue. BullMQ and ioredis load here, not at start-up: every
 * other command (and a single-machine rotation) starts without them.
 */
export async function openShardQueue(settings: QueueSettings): Promise<ShardQueue> {
  const { openBullmqQueue } = await import('./bullmq-queue.js');
  return openBullmqQueue(settings);
}
