/**
 * The queue the distributed rotation hands shards out through (the contract
 * in docs/distributed.md). Small on purpose: BullMQ on Redis implements it
 * (./bullmq-queue.ts); a pg-boss adapter for PostgreSQL-only sites could too.
 * The queue only delivers work, at least once; the truth (which shard is
 * done, who holds it) is the ledger's, in the vault's own database.
 */

export type ShardPhase = 'pass' | 'sweep';

/** All a job carries: no URL, no password, no record id. */
export interface ShardJob {
  /** the rotation's id in the ledger ([A-Za-z0-9_-], at most 64) */
  readonly rotation: string;
  readonly phase: ShardPhase;
  /** 0 for the pass; the sweep round (1..) for sweeps */
  readonly round: number;
  readonly shard: number;
}

export interface QueueSettings {
  /** redis://host:port[/db] or rediss://...; a password inside the URL is refused (argv leaks) */
  readonly url: string;
  /** from env/file/prompt (the CLI reads it); the caller zeroes it after openShardQueue */
  readonly password?: Uint8Array;
  /** rediss: the CA file that signed Redis's certificate (trusted instead of the system's CAs) */
  readonly caFile?: string;
  /** queue name, one per vault table: the caller derives it (no secrets; [A-Za-z0-9_.-]) */
  readonly name: string;
}

/** Why a handler's signal aborted (its `reason`). */
export type ShardAbortReason =
  /** cancel(rotation) was called (from any process) */
  | 'CANCELLED'
  /** this worker lost the job's lock (it was stopped or cut off too long): another may hold it now */
  | 'LOCK_LOST'
  /** ShardQueueWorker.close(): the job goes back to the queue for another worker */
  | 'WORKER_CLOSING';

export interface ServeOptions {
  readonly concurrency: number;
  /** shown in Redis as the worker's name (host/pid; no secrets) */
  readonly workerId: string;
  /**
   * How long a claimed job stays locked without renewal (renewed every half of it).
   * Default 30 s: a worker killed or stopped longer than this loses its jobs.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for jobs whose lock expired (default 30 s). */
  readonly stalledIntervalMs?: number;
  /** Connection trouble and the like while serving (codes only); default: ignored. */
  readonly onError?: (error: Error) => void;
}

export interface ShardQueue {
  /** Idempotent: a deterministic job id per job; a finished or failed one is replaced. */
  enqueue(jobs: readonly ShardJob[]): Promise<void>;
  /** Jobs of `rotation` Redis still holds (waiting, delayed, active, prioritized, paused). */
  held(rotation: string): Promise<ShardJob[]>;
  /**
   * Runs `handler` for claimed jobs. Its signal aborts (reason: ShardAbortReason) when
   * the job is cancelled, its lock is lost, or close() is called. The handler resolves
   * only when the shard's work is done (the job completes); when it stops early it
   * throws: after CANCELLED the job fails for good, after WORKER_CLOSING it goes back
   * to waiting, any other error is stored as its code only (EngineError.code, else
   * 'INTERNAL') and retried with backoff.
   */
  serve(
    handler: (job: ShardJob, signal: AbortSignal) => Promise<void>,
    options: ServeOptions,
  ): ShardQueueWorker;
  /** Drops every job of the rotation: waiting ones removed, active ones signalled. */
  cancel(rotation: string): Promise<void>;
  close(): Promise<void>;
}

export interface ShardQueueWorker {
  /**
   * Signals the running jobs (WORKER_CLOSING), waits for their handlers (no limit: they
   * finish a batch), then for Redis at most 5 s: cut off from Redis it still returns (the
   * job stays claimed until its lock expires; the process should exit soon after).
   */
  close(): Promise<void>;
}
