/** What coordinateRotation and serveRotation are asked to do (coordinator.ts, worker.ts). */
import type { PreflightProgress, PreflightResult } from '../rotation/types.js';
import type { QueueChoice } from './queue-name.js';
import type {
  DistributedCrypto,
  DistributedProgress,
  DistributedTarget,
  OpenShardQueue,
  WorkerEvent,
} from './types.js';

/** What the coordinator and every worker take alike. */
export interface DistributedRunOptions {
  readonly target: DistributedTarget;
  /** its name: default the table's queue (queueName), as the coordinator and every worker derive it */
  readonly queue: QueueChoice;
  /** default openShardQueue (BullMQ on Redis) */
  readonly openQueue?: OpenShardQueue | undefined;
  /** UTF-8 bytes; the engine copies them and zeroes its copies when it is done */
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  readonly signal?: AbortSignal | undefined;
  /** ms between reads of the ledger (default: 250 for the coordinator, WORKER_POLL_MS for a worker) */
  readonly pollIntervalMs?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly commitIntervalMs?: number | undefined;
}

export interface CoordinateOptions extends DistributedRunOptions {
  readonly crypto: DistributedCrypto;
  /** default: by size, at least 8 per expected worker */
  readonly shards?: number | undefined;
  readonly expectedWorkers?: number | undefined;
  /** crypto threads of this machine's own worker; 0: none (it only coordinates) */
  readonly localWorkers: number;
  readonly keepLedger?: boolean | undefined;
  /** a backup of the table before any record is written: a new table in the same database... */
  readonly backupTable?: string | undefined;
  /** ...or a SQLite file on this machine (absent both: no backup) */
  readonly backupPath?: string | undefined;
  /** continue the table's cancelled rotation (a running one is re-attached to without asking) */
  readonly resume?: boolean | undefined;
  readonly includeSoftDeleted?: boolean | undefined;
  readonly onProgress?: ((progress: DistributedProgress) => void) | undefined;
  readonly onWorkerEvent?: ((event: WorkerEvent) => void) | undefined;
  /**
   * A new rotation's sample check (the pre-flight a person sees, as rotateVault's): its progress,
   * then its result before a refusal is thrown; its estimate is of this machine's pool alone. A
   * rotation re-attached to or resumed runs no check (its canaries prove the passwords).
   */
  readonly onPreflightProgress?: ((progress: PreflightProgress) => void) | undefined;
  readonly onPreflight?: ((preflight: PreflightResult) => void) | undefined;
  /** ms between progress events at most (default 1000) */
  readonly progressIntervalMs?: number | undefined;
  /** ms between checks for jobs the queue lost (default 5000) */
  readonly requeueIntervalMs?: number | undefined;
  readonly coordinatorId?: string | undefined;
}
