/**
 * ShardQueue on BullMQ (Redis). What BullMQ gives: claiming, lock renewal,
 * stalled-job redelivery (a worker killed or stopped past its lock loses the
 * job to another), retries with backoff, local cancellation through the
 * processor's AbortSignal. What this adds: deterministic job ids, job data
 * checked on the way out, failure reasons that are codes only, and
 * cancellation across processes (a marker key plus a pub/sub message, the
 * pattern BullMQ's docs give for remote cancellation).
 *
 * Redelivery is harmless by design: the ledger fences a shard's previous
 * holder (its epoch) at its next commit.
 */
import { Queue, UnrecoverableError, WaitingError, Worker, type Job, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { EngineError, isEngineError } from '../../errors.js';
import { probeRedis } from './probe.js';
import { parseQueueUrl, redisOptions } from './queue-url.js';
import {
  QUEUE_PREFIX,
  checkRotationId,
  checkShardJob,
  parseShardJob,
  shardJobId,
} from './shard-job.js';
import type {
  QueueSettings,
  ServeOptions,
  ShardAbortReason,
  ShardJob,
  ShardQueue,
  ShardQueueWorker,
} from './types.js';

const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const LOCK_DURATION_MS = 30_000;
/** redelivery is safe (the ledger fences): never fail a job for having stalled */
const MAX_STALLED_COUNT = 1_000_000;
const ATTEMPTS = 20;
const BACKOFF_CAP_MS = 30_000;
/** a cancelled rotation's marker outlives any job it must stop; enqueue() clears it */
const CANCEL_MARKER_TTL_S = 7 * 24 * 3600;
/** how long closing waits for Redis once the handlers are done (it may be unreachable) */
const CLOSE_GRACE_MS = 5000;

const HELD_STATES: JobType[] = [
  'waiting',
  'delayed',
  'prioritized',
  'paused',
  'active',
  'waiting-children',
];
const WAITING_STATES: JobType[] = ['waiting', 'delayed', 'prioritized', 'paused'];

const JOB_OPTIONS = {
  attempts: ATTEMPTS,
  backoff: { type: 'capped-exponential' },
  // the ledger says which shard is done; a finished job only blocks re-enqueueing its id
  removeOnComplete: true,
  removeOnFail: { age: CANCEL_MARKER_TTL_S, count: 10_000 },
  // failure reasons are codes; stack traces could carry a message
  stackTraceLimit: 0,
} as const;

/** 1 s, 2 s, 4 s ... capped at 30 s. */
function backoffMs(attemptsMade: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), BACKOFF_CAP_MS);
}

/** The error BullMQ stores: the code alone, no message, no stack. */
function codeOnly(error: unknown): Error {
  const code = isEngineError(error) ? error.code : 'INTERNAL';
  const failure = new Error(code);
  failure.stack = code;
  return failure;
}

/**
 * What to tell BullMQ about a handler that threw: a closing worker's job goes back
 * to waiting (no attempt counted), a cancelled job fails for good, a job whose lock
 * is lost is another worker's (nothing to record), any other error is retried with
 * backoff, its code alone stored.
 */
async function stopped(
  error: unknown,
  signal: AbortSignal,
  job: Job,
  token: string | undefined,
): Promise<Error> {
  if (!signal.aborted) return codeOnly(error);
  const reason = signal.reason as ShardAbortReason;
  if (reason === 'CANCELLED') return new UnrecoverableError('CANCELLED');
  if (reason === 'WORKER_CLOSING') {
    // bounded: with Redis unreachable the job stays active until its lock expires
    if (token !== undefined) {
      await settlesWithin(
        job.moveToWait(token).catch(() => undefined),
        CLOSE_GRACE_MS,
      );
    }
    return new WaitingError();
  }
  return new Error('LOCK_LOST');
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** BullMQ emits plain errors for connection trouble; hand on their code, never a message. */
function reportTo(onError: ((error: Error) => void) | undefined): (error: Error) => void {
  return (error) => onError?.(error);
}

export async function openBullmqQueue(settings: QueueSettings): Promise<ShardQueue> {
  if (!QUEUE_NAME.test(settings.name)) {
    throw new EngineError('INTERNAL', 'A queue name is 1-100 characters of [A-Za-z0-9_.-].');
  }
  const address = parseQueueUrl(settings.url);
  const connection = redisOptions(address, settings);
  await probeRedis(connection, address);

  const name = settings.name;
  const cancelChannel = `${QUEUE_PREFIX}:${name}:cancel`;
  const cancelMarker = (rotation: string): string =>
    `${QUEUE_PREFIX}:${name}:cancelled:${rotation}`;
  const queue = new Queue(name, { connection, prefix: QUEUE_PREFIX });
  // it reconnects by itself; commands wait for the connection meanwhile
  queue.on('error', () => undefined);
  // markers and cancel messages (BullMQ's own clients are not ioredis-typed)
  const control = new Redis(connection);
  control.on('error', () => undefined);
  const serving = new Set<ShardQueueWorker>();

  async function jobsOf(rotation: string, states: JobType[]): Promise<Job[]> {
    const jobs = await queue.getJobs(states);
    return jobs.filter((job) => job && parseShardJob(job.data)?.rotation === rotation);
  }

  async function enqueue(jobs: readonly ShardJob[]): Promise<void> {
    const checked = jobs.map(checkShardJob);
    for (const rotation of new Set(checked.map((job) => job.rotation))) {
      await control.del(cancelMarker(rotation));
    }
    const fresh: ShardJob[] = [];
    const CHUNK = 200;
    for (let start = 0; start < checked.length; start += CHUNK) {
      const chunk = checked.slice(start, start + CHUNK);
      const states = await Promise.all(chunk.map((job) => queue.getJobState(shardJobId(job))));
      for (const [index, job] of chunk.entries()) {
        const state = states[index];
        // a finished or failed job of that id would make add() a no-op: replace it
        if (state === 'completed' || state === 'failed') await queue.remove(shardJobId(job));
        else if (state !== 'unknown') continue;
        fresh.push(job);
      }
    }
    for (let start = 0; start < fresh.length; start += CHUNK) {
      await queue.addBulk(
        fresh.slice(start, start + CHUNK).map((job) => ({
          name: job.phase,
          data: { ...job },
          opts: { ...JOB_OPTIONS, jobId: shardJobId(job) },
        })),
      );
    }
  }

  function serve(
    handler: (job: ShardJob, signal: AbortSignal) => Promise<void>,
    options: ServeOptions,
  ): ShardQueueWorker {
    const onError = reportTo(options.onError);
    /** job id -> rotation, for cancel messages */
    const running = new Map<string, string>();
    /** the handlers under way: close() waits for them without a limit (they finish a batch) */
    const handlers = new Set<Promise<void>>();

    const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<void> => {
      const shard = parseShardJob(job.data);
      const id = job.id;
      if (!shard || id === undefined) throw new UnrecoverableError('BAD_JOB');
      if (!signal) throw new UnrecoverableError('INTERNAL');
      if ((await control.exists(cancelMarker(shard.rotation))) === 1) {
        throw new UnrecoverableError('CANCELLED');
      }
      running.set(id, shard.rotation);
      const work = handler(shard, signal);
      handlers.add(work);
      try {
        // resolving means the shard's work is done: the job completes
        await work;
      } catch (error) {
        throw await stopped(error, signal, job, token);
      } finally {
        running.delete(id);
        handlers.delete(work);
      }
    };

    const worker = new Worker(name, processor, {
      connection,
      prefix: QUEUE_PREFIX,
      concurrency: options.concurrency,
      name: options.workerId,
      lockDuration: options.lockDurationMs ?? LOCK_DURATION_MS,
      stalledInterval: options.stalledIntervalMs ?? LOCK_DURATION_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      settings: { backoffStrategy: backoffMs },
    });
    worker.on('error', onError);
    worker.on('lockRenewalFailed', (ids) => {
      for (const id of ids) worker.cancelJob(id, 'LOCK_LOST' satisfies ShardAbortReason);
    });

    const subscriber = new Redis(connection);
    subscriber.on('error', onError);
    subscriber.on('message', (channel: string, rotation: string) => {
      if (channel !== cancelChannel) return;
      for (const [id, held] of running) {
        if (held === rotation) worker.cancelJob(id, 'CANCELLED' satisfies ShardAbortReason);
      }
    });
    subscriber.subscribe(cancelChannel).catch(onError);

    let closing: Promise<void> | null = null;
    const handle: ShardQueueWorker = {
      close() {
        closing ??= (async () => {
          worker.cancelAllJobs('WORKER_CLOSING' satisfies ShardAbortReason);
          const graceful = worker.close();
          try {
            await Promise.allSettled([...handlers]);
            // Redis may not answer (cut off): then stop waiting for it. BullMQ's close
            // ends when its connections do (at the latest when the process exits); the
            // job's lock expires and another worker takes it.
            await settlesWithin(graceful, CLOSE_GRACE_MS);
          } finally {
            subscriber.disconnect();
            serving.delete(handle);
          }
        })();
        return closing;
      },
    };
    serving.add(handle);
    return handle;
  }

  return {
    enqueue,
    async held(rotation) {
      checkRotationId(rotation);
      const jobs = await jobsOf(rotation, HELD_STATES);
      return jobs.map((job) => parseShardJob(job.data)).filter((job) => job !== null);
    },
    serve,
    async cancel(rotation) {
      checkRotationId(rotation);
      // the marker first: a job claimed from now on stops before its handler runs
      await control.set(cancelMarker(rotation), '1', 'EX', CANCEL_MARKER_TTL_S);
      await control.publish(cancelChannel, rotation);
      for (const job of await jobsOf(rotation, WAITING_STATES)) {
        // a job claimed meanwhile is locked: the marker and the message stop it
        await job.remove().catch(() => undefined);
      }
    },
    async close() {
      await Promise.all([...serving].map((worker) => worker.close()));
      // as for a worker: a Redis that does not answer is waited for CLOSE_GRACE_MS only
      await settlesWithin(queue.close(), CLOSE_GRACE_MS);
      control.disconnect();
    },
  };
}
