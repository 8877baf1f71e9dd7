/**
 * The ledger's times are the database server's: a worker whose clock is ten
 * minutes behind (libfaketime on its process) and that just reported is not
 * "lost", and the coordinator it heartbeats for was seen just now, read on
 * this machine's clock. With the writer's own clock both would be ten
 * minutes old: lost after 30 s.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_LOST_AFTER_MS, WORKER_STATE } from '../../../src/core/distributed.js';
import { summaryOf } from '../../../src/engine/distributed/coordinator-result.js';
import { Ledger } from '../../../src/engine/distributed/ledger/ledger.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import { loadFixture, openStore, serverDatabase, tiny } from './support/distributed-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const LIBFAKETIME = ['x86_64', 'aarch64']
  .map((arch) => `/usr/lib/${arch}-linux-gnu/faketime/libfaketime.so.1`)
  .find((path) => existsSync(path));
const SKEW_MS = 10 * 60_000;

// Under CI a missing libfaketime fails the test (the child's clock is not behind), never skips it.
const skipWithoutFaketime = !LIBFAKETIME && !process.env.CI;
if (skipWithoutFaketime)
  console.warn('ledger-clock: skipped, libfaketime is not installed (apt install faketime)');

/** Runs the child ten minutes in the past; resolves with its own Date.now(). */
function runSkewedChild(settings: object): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'support/ledger-clock-child.ts')],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...(LIBFAKETIME ? { LD_PRELOAD: LIBFAKETIME } : {}),
        FAKETIME: `-${SKEW_MS / 1000}`,
        // Timers and event-loop waits keep the real monotonic clock.
        FAKETIME_DONT_FAKE_MONOTONIC: '1',
      },
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let nowMs: number | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) nowMs = (JSON.parse(line) as { nowMs: number }).nowMs;
  });
  child.stdin.end(`${JSON.stringify(settings)}\n`);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && nowMs !== null) resolve(nowMs);
      else reject(new Error(`ledger-clock-child exited ${code}: ${stderr}`));
    });
  });
}

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind) || skipWithoutFaketime)(`ledger times on ${kind}`, () => {
    const suite = serverDatabase(kind);

    beforeAll(async () => {
      await loadFixture(suite.owner);
    });

    it('a worker with a clock 10 minutes behind is seen now, not lost', async () => {
      const store = await openStore(suite.db);
      try {
        const ledger = Ledger.of(store, null);
        await ledger.create();
        const rotation = `clock-${kind}`;
        await ledger.insertRotation({
          id: rotation,
          table: 'vault',
          now: new Date(),
          includeSoftDeleted: false,
          openConfig: tiny,
          writeConfig: tiny,
          canaries: { old: 'x', new: 'y' },
          rowsAtStart: 0,
          boundsHash: 'none',
          coordinator: 'here',
          shards: [],
        });
        const started = await ledger.rotation(rotation);
        expect(Math.abs(Date.now() - started!.startedMs)).toBeLessThan(WORKER_LOST_AFTER_MS);

        const before = Date.now();
        const childNow = await runSkewedChild({
          url: suite.db.url,
          password: suite.db.password,
          rotation,
        });
        const after = Date.now();
        // The child's clock really was behind, or this test proves nothing.
        expect(before - childNow).toBeGreaterThan(SKEW_MS - 60_000);

        const [worker] = await ledger.workers(rotation);
        expect(worker).toMatchObject({ worker: 'skewed-worker', state: WORKER_STATE.working });
        // Seen while the child ran, on this machine's clock (a second's slack for the reads).
        expect(worker!.lastSeenMs).toBeGreaterThanOrEqual(before - 1000);
        expect(worker!.lastSeenMs).toBeLessThanOrEqual(Date.now() + 1000);
        expect(summaryOf(worker!, Date.now()).state).toBe(WORKER_STATE.working);

        const row = await ledger.rotation(rotation);
        expect(row!.coordinator).toBe('skewed-coordinator');
        expect(row!.heartbeatMs).toBeGreaterThanOrEqual(before - 1000);
        expect(row!.heartbeatMs).toBeLessThanOrEqual(after + 1000);
      } finally {
        await store.close();
      }
    });
  });
}
