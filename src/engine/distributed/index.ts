/** The distributed rotation's public API (re-exported by src/engine/index.ts). */
export { coordinateRotation, type CoordinateOptions } from './coordinator.js';
export { serveRotation, type ServeRotationOptions, WORKER_POLL_MS } from './worker.js';
export {
  cancelRotation,
  checkDistributedRotation,
  readRotationStatus,
  type DistributedReadiness,
} from './status.js';
export { openShardQueue, parseQueueUrl, pingQueue, shardJobId } from './queue/index.js';
export { namedQueue, queueName, type QueueChoice } from './queue-name.js';
export type {
  QueueAddress,
  QueueSettings,
  ShardJob,
  ShardPhase,
  ShardQueue,
  ShardQueueWorker,
} from './queue/index.js';
export type {
  DistributedCrypto,
  DistributedProgress,
  DistributedResult,
  DistributedStatus,
  DistributedTarget,
  LedgerState,
  OpenShardQueue,
  ShardCounts,
  ShardFailure,
  WorkerEvent,
  WorkerOutcome,
  WorkerRow,
  WorkerSummary,
} from './types.js';
