/** The distributed rotation's work queue: the interface and its BullMQ (Redis) adapter. */
import type { QueueSettings, ShardQueue } from './types.js';

import { parseQueueUrl, redisOptions } from './queue-url.js';

export { parseQueueUrl };
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

/**
 * One connection to the queue's Redis, authenticated and PINGed, then closed: QUEUE_UNREACHABLE
 * or QUEUE_AUTH within a few seconds when it does not answer. Loads ioredis only when called.
 */
export async function pingQueue(settings: Omit<QueueSettings, 'name'>): Promise<void> {
  const { probeRedis } = await import('./probe.js');
  const address = parseQueueUrl(settings.url);
  await probeRedis(redisOptions(address, { ...settings, name: 'ping' }), address);
}
