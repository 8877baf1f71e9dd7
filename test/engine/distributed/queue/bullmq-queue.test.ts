/**
 * The BullMQ shard queue against a real Redis (private, with a password):
 * idempotent enqueue, redelivery of a killed or stopped worker's job to
 * another worker process, cancellation reaching an active handler,
 * failure reasons as codes, clear errors for an unreachable Redis or a
 * refused password, and no password anywhere in Redis.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../src/engine/errors.js';
import {
  openShardQueue,
  QUEUE_PREFIX,
  shardJobId,
  type ShardJob,
  type ShardQueue,
  type ShardQueueWorker,
} from '../../../../src/engine/distributed/queue/index.js';
import {
  keysHolding,
  redisAdmin,
  redisUnavailable,
  redisUrl,
  startRedis,
  type ManagedRedis,
} from '../../../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../../../support/tcp-proxy.js';
import {
  EventLog,
  startQueueChild,
  uniqueName,
  type QueueChild,
} from './support/queue-test-kit.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function shards(rotation: string, count: number, phase: 'pass' | 'sweep' = 'pass'): ShardJob[] {
  return Array.from({ length: count }, (_, shard) => ({ rotation, phase, round: 0, shard }));
}

const byShard = (a: ShardJob, b: ShardJob): number => a.shard - b.shard;

interface HandlerEvent {
  readonly event: 'start' | 'aborted' | 'done';
  readonly job: ShardJob;
  readonly reason?: unknown;
}

describe.skipIf(redisUnavailable())('BullMQ shard queue on a real Redis', () => {
  let redis: ManagedRedis;
  const opened: ShardQueue[] = [];
  const children: QueueChild[] = [];

  beforeAll(async () => (redis = await startRedis()));
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await Promise.all(opened.splice(0).map((queue) => queue.close()));
  });
  afterAll(() => redis?.dispose());

  async function open(name: string, password = redis.info.password): Promise<ShardQueue> {
    const queue = await openShardQueue({
      url: redisUrl(redis.info),
      name,
      password: encode(password),
    });
    opened.push(queue);
    return queue;
  }

  /** `job` enqueued on a fresh queue and claimed by a worker process (lock 1.5 s). */
  async function claimedByChild(job: ShardJob): Promise<{ queue: ShardQueue; child: QueueChild }> {
    const name = uniqueName('q');
    const queue = await open(name);
    await queue.enqueue([job]);
    const child = startQueueChild({
      url: redisUrl(redis.info),
      password: redis.info.password,
      name,
      lockDurationMs: 1500,
      stalledIntervalMs: 500,
    });
    children.push(child);
    const claimed = await child.log.waitFor((e) => e.event === 'claimed' || e.event === 'exit');
    expect(claimed, child.stderr()).toMatchObject({ event: 'claimed', job });
    return { queue, child };
  }

  /** `job` enqueued on a fresh queue reached through a fault proxy (close the proxy). */
  async function queuedBehindProxy(
    job: ShardJob,
  ): Promise<{ proxy: TcpProxy; name: string; viaProxy: ShardQueue }> {
    const proxy = await startTcpProxy({ host: redis.info.host, port: redis.info.port });
    const name = uniqueName('q');
    const viaProxy = await openShardQueue({
      url: `redis://${proxy.host}:${proxy.port}/0`,
      name,
      password: encode(redis.info.password),
    });
    await viaProxy.enqueue([job]);
    return { proxy, name, viaProxy };
  }

  /** A worker in this process whose handler logs and waits for its signal unless `finish`. */
  function serveLogged(
    queue: ShardQueue,
    finish: (job: ShardJob) => boolean,
    options: { lockDurationMs?: number; stalledIntervalMs?: number; concurrency?: number } = {},
  ): { log: EventLog<HandlerEvent>; worker: ShardQueueWorker } {
    const log = new EventLog<HandlerEvent>();
    const worker = queue.serve(
      async (job, signal) => {
        log.push({ event: 'start', job });
        if (finish(job)) {
          log.push({ event: 'done', job });
          return;
        }
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        log.push({ event: 'aborted', job, reason: signal.reason });
        // stopped early: a handler throws (resolving would complete the job)
        throw new Error('stopped');
      },
      { concurrency: options.concurrency ?? 1, workerId: uniqueName('test-worker'), ...options },
    );
    return { log, worker };
  }

  it('enqueueing twice holds one job per shard, and a finished job can be enqueued again', async () => {
    const queue = await open(uniqueName('q'));
    const jobs = shards('rotA', 5);
    await queue.enqueue(jobs);
    await queue.enqueue(jobs);
    await queue.enqueue([jobs[2]!]);
    expect((await queue.held('rotA')).sort(byShard)).toEqual(jobs);
    expect(await queue.held('rotB')).toEqual([]);

    const { log, worker } = serveLogged(queue, () => true, { concurrency: 2 });
    for (const job of jobs) {
      await log.waitFor((event) => event.event === 'done' && event.job.shard === job.shard);
    }
    await worker.close();
    expect(log.events.filter((event) => event.event === 'start')).toHaveLength(5);
    // completed jobs leave Redis (the ledger keeps the truth); the same id enqueues again
    expect(await queue.held('rotA')).toEqual([]);
    await queue.enqueue([jobs[3]!]);
    expect(await queue.held('rotA')).toEqual([jobs[3]]);
  });

  it('redelivers the job of a SIGKILLed worker process to another worker once its lock expires', async () => {
    const job: ShardJob = { rotation: 'rotK', phase: 'pass', round: 0, shard: 7 };
    const { queue, child } = await claimedByChild(job);
    await child.kill();

    const { log, worker } = serveLogged(queue, () => true, {
      lockDurationMs: 1500,
      stalledIntervalMs: 500,
    });
    const redelivered = await log.waitFor((event) => event.event === 'done');
    expect(redelivered.job).toEqual(job);
    await worker.close();
    expect(await queue.held('rotK')).toEqual([]);
  });

  it('redelivers the job of a SIGSTOPped worker, which learns it lost the lock when resumed', async () => {
    const job: ShardJob = { rotation: 'rotS', phase: 'sweep', round: 2, shard: 3 };
    const { queue, child } = await claimedByChild(job);
    child.signal('SIGSTOP');

    // this worker holds the job until its signal aborts: the zombie must not get it back
    const { log, worker } = serveLogged(queue, () => false, {
      lockDurationMs: 1500,
      stalledIntervalMs: 500,
    });
    const redelivered = await log.waitFor((event) => event.event === 'start');
    expect(redelivered.job).toEqual(job);

    child.signal('SIGCONT');
    const aborted = await child.log.waitFor((e) => e.event === 'aborted' || e.event === 'exit');
    expect(aborted, child.stderr()).toMatchObject({ event: 'aborted', reason: 'LOCK_LOST', job });
    expect(log.events.filter((event) => event.event === 'aborted')).toEqual([]);
    await worker.close();
    // closing handed the job back to the queue, not to "completed"
    expect(await queue.held('rotS')).toEqual([job]);
  });

  it('redelivers the job of a worker cut off from Redis; restored, it learns it lost the lock', async () => {
    const job: ShardJob = { rotation: 'rotB', phase: 'pass', round: 0, shard: 5 };
    const { proxy, name, viaProxy } = await queuedBehindProxy(job);
    try {
      opened.push(viaProxy);
      const timing = { lockDurationMs: 1500, stalledIntervalMs: 500 };
      const cutOff = serveLogged(viaProxy, () => false, timing);
      await cutOff.log.waitFor((event) => event.event === 'start');

      proxy.blackhole();
      // its lock renewal (or any other command) vanishes in the black hole
      await proxy.whenHeld('toServer');
      const direct = await open(name);
      const other = serveLogged(direct, () => false, timing);
      expect((await other.log.waitFor((event) => event.event === 'start')).job).toEqual(job);

      proxy.restore();
      const lost = await cutOff.log.waitFor((event) => event.event === 'aborted');
      expect(lost).toMatchObject({ reason: 'LOCK_LOST', job });
      expect(other.log.events.filter((event) => event.event === 'aborted')).toEqual([]);
      await Promise.all([cutOff.worker.close(), other.worker.close()]);
    } finally {
      await proxy.close();
    }
  });

  it('a worker and a queue cut off from Redis still close (after a grace period)', async () => {
    const job: ShardJob = { rotation: 'rotX', phase: 'pass', round: 0, shard: 2 };
    const { proxy, name, viaProxy } = await queuedBehindProxy(job);
    try {
      // the same stalled-check interval for all (Redis lets one worker check per interval)
      const timing = { lockDurationMs: 1500, stalledIntervalMs: 500 };
      const cutOff = serveLogged(viaProxy, () => false, timing);
      await cutOff.log.waitFor((event) => event.event === 'start');
      proxy.blackhole();
      // the handler stops (WORKER_CLOSING); putting the job back cannot reach Redis
      await cutOff.worker.close();
      expect(cutOff.log.events.at(-1)).toMatchObject({ reason: 'WORKER_CLOSING' });
      await viaProxy.close();
      // its lock expires and another worker gets the job
      const direct = await open(name);
      const other = serveLogged(direct, () => true, timing);
      expect((await other.log.waitFor((event) => event.event === 'done')).job).toEqual(job);
      await other.worker.close();
    } finally {
      await proxy.close();
    }
  });

  it('cancel reaches an active handler in another process and drops the waiting jobs', async () => {
    const name = uniqueName('q');
    const coordinator = await open(name);
    const jobs = shards('rotC', 4);
    const other = shards('rotOther', 2);
    await coordinator.enqueue([...jobs, ...other]);
    const child = startQueueChild({
      url: redisUrl(redis.info),
      password: redis.info.password,
      name,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
    children.push(child);
    const claimed = await child.log.waitFor((e) => e.event === 'claimed' || e.event === 'exit');
    expect(claimed.event, child.stderr()).toBe('claimed');
    const active = claimed.job!;
    expect(active.rotation).toBe('rotC');

    await coordinator.cancel('rotC');
    const aborted = await child.log.waitFor((e) => e.event === 'aborted' || e.event === 'exit');
    expect(aborted).toMatchObject({ event: 'aborted', reason: 'CANCELLED', job: active });

    const admin = redisAdmin(redis.info);
    try {
      const failedKey = `${QUEUE_PREFIX}:${name}:${shardJobId(active)}`;
      await waitForValue(() => admin.hget(failedKey, 'finishedOn'));
      // not retried: failed for good, the reason a code
      expect(await admin.hget(failedKey, 'failedReason')).toBe('CANCELLED');
    } finally {
      admin.disconnect();
    }
    // A waiting job the freed child claimed before cancel could remove it is stopped by the
    // marker before its handler runs: it leaves the held states by itself, never run.
    await waitForValue(async () => ((await coordinator.held('rotC')).length === 0 ? 'none' : null));
    expect(
      child.log.events
        .filter((event) => event.event === 'claimed' && event.job?.rotation === 'rotC')
        .map((event) => event.job),
    ).toEqual([active]);
    // the other rotation's jobs stay (the child, freed, may be running one of them)
    expect((await coordinator.held('rotOther')).sort(byShard)).toEqual(other);

    // enqueueing the rotation again (resume) clears the cancel and replaces the failed job
    await child.kill();
    await coordinator.enqueue([active]);
    expect(await coordinator.held('rotC')).toEqual([active]);
    const { log, worker } = serveLogged(coordinator, () => true);
    const again = await log.waitFor(
      (event) => event.event === 'done' && event.job.rotation === 'rotC',
    );
    expect(again.job).toEqual(active);
    await worker.close();
  });

  it('stores a failing handler reason as its code only, and retries the job', async () => {
    const name = uniqueName('q');
    const queue = await open(name);
    const job: ShardJob = { rotation: 'rotF', phase: 'pass', round: 0, shard: 0 };
    await queue.enqueue([job]);
    const secretish = 'record 4711 with value hunter2 could not be written';
    const log = new EventLog<number>();
    let attempts = 0;
    const worker = queue.serve(
      async () => {
        attempts += 1;
        log.push(attempts);
        if (attempts === 1) throw new EngineError('CONNECTION_LOST', secretish);
        if (attempts === 2) throw new Error(secretish);
      },
      { concurrency: 1, workerId: 'w-fail' },
    );
    const admin = redisAdmin(redis.info);
    try {
      const key = `${QUEUE_PREFIX}:${name}:${shardJobId(job)}`;
      await log.waitFor((attempt) => attempt === 2);
      expect(await admin.hget(key, 'failedReason')).toBe('CONNECTION_LOST');
      await log.waitFor((attempt) => attempt === 3);
      await worker.close();
      expect(await keysHolding(admin, 'hunter2')).toEqual([]);
      expect(await keysHolding(admin, '4711')).toEqual([]);
    } finally {
      admin.disconnect();
    }
    expect(attempts).toBe(3);
  });

  it('closing a worker aborts its handler and hands the job back to the queue', async () => {
    const name = uniqueName('q');
    const queue = await open(name);
    const job: ShardJob = { rotation: 'rotW', phase: 'pass', round: 0, shard: 1 };
    await queue.enqueue([job]);
    const { log, worker } = serveLogged(queue, () => false);
    await log.waitFor((event) => event.event === 'start');
    await worker.close();
    expect(log.events.at(-1)).toMatchObject({ event: 'aborted', reason: 'WORKER_CLOSING' });
    expect(await queue.held('rotW')).toEqual([job]);
    // waiting at once, no attempt counted (not a failure retried after a backoff)
    const admin = redisAdmin(redis.info);
    try {
      expect(await admin.lrange(`${QUEUE_PREFIX}:${name}:wait`, 0, -1)).toEqual([shardJobId(job)]);
      expect(await admin.hget(`${QUEUE_PREFIX}:${name}:${shardJobId(job)}`, 'atm')).toBeNull();
    } finally {
      admin.disconnect();
    }
    // and the next worker gets it
    const next = serveLogged(queue, () => true);
    expect((await next.log.waitFor((event) => event.event === 'done')).job).toEqual(job);
    await next.worker.close();
  });

  it('refuses job data that is not a shard job (a tampered queue) before any handler runs', async () => {
    const name = uniqueName('q');
    const queue = await open(name);
    const admin = redisAdmin(redis.info);
    const { Queue } = await import('bullmq');
    const raw = new Queue(name, {
      prefix: QUEUE_PREFIX,
      connection: { host: redis.info.host, port: redis.info.port, password: redis.info.password },
    });
    try {
      await raw.add(
        'pass',
        { rotation: 'rotT', phase: 'pass', round: 0, shard: 0, url: 'x' },
        {
          jobId: 'ok-extra-field',
        },
      );
      await raw.add(
        'pass',
        { rotation: 'rot:T', phase: 'pass', round: 0, shard: 0 },
        {
          jobId: 'bad-rotation',
        },
      );
      await raw.add(
        'pass',
        { rotation: 'rotT', phase: 'drop', round: 0, shard: 0 },
        {
          jobId: 'bad-phase',
        },
      );
      const { log, worker } = serveLogged(queue, () => true);
      await log.waitFor((event) => event.event === 'done');
      for (const id of ['bad-rotation', 'bad-phase']) {
        await waitForValue(() => admin.hget(`${QUEUE_PREFIX}:${name}:${id}`, 'failedReason'));
        expect(await admin.hget(`${QUEUE_PREFIX}:${name}:${id}`, 'failedReason')).toBe('BAD_JOB');
      }
      await worker.close();
      // only the well-formed job reached the handler, without its extra field
      expect(log.events.filter((event) => event.event === 'start').map((e) => e.job)).toEqual([
        { rotation: 'rotT', phase: 'pass', round: 0, shard: 0 },
      ]);
    } finally {
      await raw.close();
      admin.disconnect();
    }
  });

  it('keeps serving across Redis restarts, with and without its data', async () => {
    const queue = await open(uniqueName('q'));
    const { log, worker } = serveLogged(queue, () => true);
    const first: ShardJob = { rotation: 'rotR', phase: 'pass', round: 0, shard: 0 };
    await queue.enqueue([first]);
    await log.waitFor((event) => event.event === 'done' && event.job.shard === 0);

    // with its data: a job queued before the restart is still there after it
    await worker.close();
    const kept: ShardJob = { ...first, shard: 1 };
    await queue.enqueue([kept]);
    await redis.restart({ keepData: true });
    expect(await queue.held('rotR')).toEqual([kept]);
    const again = serveLogged(queue, () => true);
    await again.log.waitFor((event) => event.event === 'done' && event.job.shard === 1);

    // without it: the queue is empty, and what is enqueued again reaches the same worker
    await redis.restart({ keepData: false });
    expect(await queue.held('rotR')).toEqual([]);
    await queue.enqueue([first, kept]);
    const done = (): HandlerEvent[] => again.log.events.filter((e) => e.event === 'done');
    await again.log.waitFor(() => done().length === 3);
    expect(done()[0]!.job).toEqual(kept);
    expect(
      done()
        .slice(1)
        .map((event) => event.job.shard)
        .sort(),
    ).toEqual([0, 1]);
    await again.worker.close();
    expect(log.events.filter((event) => event.event === 'done')).toHaveLength(1);
  });

  it('says QUEUE_AUTH for a wrong or missing password', async () => {
    const name = uniqueName('q');
    const wrong = openShardQueue({ url: redisUrl(redis.info), name, password: encode('nope') });
    await expect(wrong).rejects.toMatchObject({ code: 'QUEUE_AUTH' });
    await expect(wrong).rejects.toThrow(/--queue-password-env/);
    await expect(openShardQueue({ url: redisUrl(redis.info), name })).rejects.toMatchObject({
      code: 'QUEUE_AUTH',
    });
  });

  it('leaves no password in any Redis key or value', async () => {
    const name = uniqueName('q');
    const queue = await open(name);
    await queue.enqueue(shards('rotP', 3));
    const { log, worker } = serveLogged(queue, (job) => job.shard !== 2);
    await log.waitFor((event) => event.event === 'start' && event.job.shard === 2);
    await queue.cancel('rotP');
    await log.waitFor((event) => event.event === 'aborted');
    await worker.close();
    const admin = redisAdmin(redis.info);
    try {
      const keys = await admin.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(await keysHolding(admin, redis.info.password)).toEqual([]);
      // the guard: the scan does find what is there
      await admin.set('probe-key', `x${redis.info.password}x`);
      expect(await keysHolding(admin, redis.info.password)).toEqual(['0:probe-key']);
      await admin.del('probe-key');
    } finally {
      admin.disconnect();
    }
  });
});

describe('BullMQ shard queue: where Redis does not answer', () => {
  const sockets = new Set<Socket>();
  let silent: Server;
  let silentPort = 0;
  beforeAll(async () => {
    // accepts connections and never says a word (a black-holed Redis)
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails with QUEUE_UNREACHABLE instead of waiting for ever', async () => {
    const attempt = openShardQueue({ url: `redis://127.0.0.1:${silentPort}`, name: 'q-silent' });
    await expect(attempt).rejects.toMatchObject({ code: 'QUEUE_UNREACHABLE' });
    await expect(attempt).rejects.toThrow(/did not answer/);
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    await expect(
      openShardQueue({ url: `redis://127.0.0.1:${closedPort}/2`, name: 'q-closed' }),
    ).rejects.toMatchObject({
      code: 'QUEUE_UNREACHABLE',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

/** Polls a Redis read until it returns a value (Redis has no event for "job failed" here). */
async function waitForValue(read: () => Promise<string | null>): Promise<string> {
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
