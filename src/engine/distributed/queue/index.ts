/** The distributed rotation's work queue: the interface and its BullMQ (Redis) adapter. */
export { openShardQueue, QUEUE_PREFIX } from './bullmq-queue.js';
export { parseQueueUrl } from './queue-url.js';
export type { QueueAddress } from './queue-url.js';
export { shardJobId } from './shard-job.js';
export type {
  QueueSettings,
  ServeOptions,
  ShardAbortReason,
  ShardJob,
  ShardPhase,
  ShardQueue,
  ShardQueueWorker,
} from './types.js';
