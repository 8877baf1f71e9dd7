/**
 * The queue as the engine uses it (the contract in the shared design; the
 * BullMQ adapter lives in ./queue/). Jobs carry no URL, password or record id.
 */
export type ShardPhase = 'pass' | 'sweep';

export interface ShardJob {
  readonly rotation: string;
  readonly phase: ShardPhase;
  readonly round: number;
  readonly shard: number;
}

export interface QueueSettings {
  readonly url: string;
  readonly password?: Uint8Array;
  readonly caFile?: string;
  readonly name: string;
}

export interface ShardQueueWorker {
  close(): Promise<void>;
}

export interface ShardQueue {
  enqueue(jobs: readonly ShardJob[]): Promise<void>;
  held(rotation: string): Promise<ShardJob[]>;
  serve(
    handler: (job: ShardJob, signal: AbortSignal) => Promise<void>,
    options: { readonly concurrency: number; readonly workerId: string },
  ): ShardQueueWorker;
  cancel(rotation: string): Promise<void>;
  close(): Promise<void>;
}

export type OpenShardQueue = (settings: QueueSettings) => Promise<ShardQueue>;

/** The deterministic id of a job: enqueueing it twice is harmless. */
export function shardJobId(job: ShardJob): string {
  return `${job.rotation}.${job.phase}.${job.round}.${job.shard}`;
}
