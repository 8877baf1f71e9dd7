/**
 * The distributed rotation end to end in the engine, on real PostgreSQL /
 * MariaDB and a real Redis (tiny preset): a coordinator with its local
 * worker and other workers (in this process, and in two child processes)
 * rotate the fixture table, which vsref verifies; a worker with a wrong
 * password is refused before it claims anything; cancel, then resume;
 * a single-machine rotation refused meanwhile; a coordinator re-attaching
 * from the ledger; jobs Redis lost enqueued again; a writer that never
 * stops ends "incomplete". No password in any ledger row or Redis key.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  coordinateRotation,
  readRotationStatus,
  serveRotation,
  type CoordinateOptions,
  type DistributedTarget,
  type ServeRotationOptions,
} from '../../../src/engine/distributed/index.js';
import { rotateVault, type PreflightResult } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  redisAdmin,
  redisUnavailable,
  redisUrl,
  startRedis,
  keysHolding,
  type ManagedRedis,
} from '../../support/redis.js';
import { readServerVault, readSqliteVault } from '../../support/server-vault-copy.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import { uniqueName } from './queue/support/queue-test-kit.js';
import {
  expectCompletedAsManifest,
  expectedCounts,
  serverRotationOptions,
} from '../rotation/support/rotation-checks.js';
import {
  FIXTURE,
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectServerFixtureRotated,
  ledgerText,
  loadFixture,
  manifest,
  planFixtureRotation,
  serverDatabase,
  spellings,
  tiny,
} from './support/distributed-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const expected = expectedCounts(manifest, PW_A);

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind) ?? redisUnavailable())(
    `distributed rotation on ${kind} with Redis`,
    () => {
      const suite = serverDatabase(kind);
      let redis: ManagedRedis;
      let admin: Redis;
      let dir: TempDir;
      let queueName: string;

      beforeAll(async () => {
        redis = await startRedis();
        admin = redisAdmin(redis.info);
        // it reconnects by itself after the Redis restart test
        admin.on('error', () => undefined);
      });
      afterAll(async () => {
        admin?.disconnect();
        await redis?.dispose();
      });
      beforeEach(async () => {
        dir = makeTempDir('vsa-distributed-');
        queueName = uniqueName('vault');
        await suite.owner.query(
          'DROP TABLE IF EXISTS vault, vault_meta, vsa_visit, vsa_worker, vsa_shard, vsa_rotation',
        );
        await loadFixture(suite.owner);
      });
      afterEach(() => dir.dispose());

      const target = (): DistributedTarget => ({
        vaultPath: suite.db.url,
        table: 'vault',
        open: { serverPassword: bytes(suite.db.password) },
      });
      const queue = () => ({
        url: redisUrl(redis.info),
        name: queueName,
        password: bytes(redis.info.password),
      });
      const coordinate = (extra: Partial<CoordinateOptions> = {}) =>
        coordinateRotation({
          target: target(),
          queue: queue(),
          oldPassword: bytes(PW_A),
          newPassword: bytes(NEW_PASSWORD),
          crypto: { openConfig: tiny },
          shards: 6,
          localWorkers: 1,
          batchSize: 8,
          pollIntervalMs: 50,
          ...extra,
        });
      const serve = (extra: Partial<ServeRotationOptions> = {}) =>
        serveRotation({
          target: target(),
          queue: queue(),
          oldPassword: bytes(PW_A),
          newPassword: bytes(NEW_PASSWORD),
          workers: 1,
          batchSize: 8,
          pollIntervalMs: 50,
          ...extra,
        });

      async function expectNoSecretsStored(): Promise<void> {
        const ledger = await ledgerText(suite.owner);
        for (const secret of [PW_A, NEW_PASSWORD, suite.db.password, redis.info.password]) {
          for (const spelling of spellings(secret)) {
            expect(ledger).not.toContain(spelling);
            expect(await keysHolding(admin, spelling)).toEqual([]);
          }
        }
      }

      it('a coordinator, its local worker and a second worker rotate the table; nothing secret stored', async () => {
        const second = serve();
        const result = await coordinate({ keepLedger: true });
        const outcome = await second;
        expectCompletedAsManifest(result, manifest, PW_A);
        expect(result).toMatchObject({
          coverage: {
            rowsAtStart: expected.scanned,
            visited: expected.scanned,
            foreignWrites: false,
          },
          distributed: { shards: 6, sweepRounds: 1 },
        });
        expect(result.distributed.workers.length).toBe(2);
        expect(outcome.state).toBe('completed');
        await expectServerFixtureRotated(suite.owner, dir.path);
        await expectNoSecretsStored();
        expect(await readRotationStatus(target())).toMatchObject({
          state: 'completed',
          shards: 6,
          shardsDone: 6,
          failing: [],
          counts: { scanned: expected.scanned, rotated: expected.rotated },
        });
      });

      it('two worker processes and a coordinator that only coordinates rotate the table', async () => {
        const children = [0, 1].map(() => startChild());
        const result = await coordinate({ localWorkers: 0, shards: 8 });
        const outcomes = await Promise.all(children.map((child) => child.done));
        expect(result).toMatchObject({ status: 'completed', rotated: expected.rotated });
        for (const outcome of outcomes)
          expect(outcome).toMatchObject({ event: 'outcome', code: 0 });
        expect(result.distributed.workers.length).toBeGreaterThanOrEqual(1);
        await expectServerFixtureRotated(suite.owner, dir.path);
        // Finished: the ledger was dropped.
        expect(await readRotationStatus(target())).toBeNull();
      });

      it('a worker process told to stop (SIGTERM) leaves after its batch; another finishes its shard', async () => {
        const child = startChild();
        let rescuer: Promise<unknown> | null = null;
        const result = await coordinate({
          localWorkers: 0,
          shards: 8,
          progressIntervalMs: 0,
          onProgress: (progress) => {
            if (progress.rotated === 0 || rescuer) return;
            child.stop();
            rescuer = child.done.then(() => serve());
          },
        });
        await rescuer;
        const left = await child.done;
        expect(left).toMatchObject({ event: 'outcome', code: 0 });
        expectCompletedAsManifest(result, manifest, PW_A);
        await expectServerFixtureRotated(suite.owner, dir.path);
      });

      it('tells its sample check as the pre-flight; cancelled once told, it plans nothing', async () => {
        const stop = new AbortController();
        const told: PreflightResult[] = [];
        const phases = new Set<string>();
        await expect(
          coordinate({
            signal: stop.signal,
            onPreflightProgress: (progress) => phases.add(progress.phase),
            onPreflight: (result) => {
              told.push(result);
              stop.abort();
            },
          }),
        ).rejects.toMatchObject({ code: 'INTERNAL', message: /cancelled while it was planned/ });
        expect(phases).toContain('checking');
        expect(told).toHaveLength(1);
        // Its estimate is filled (this machine's pool alone), as rotateVault's is.
        expect(told[0]).toMatchObject({ canRotate: true, cancelled: false });
        expect(told[0]!.total).toBeGreaterThan(told[0]!.sampled);
        expect(told[0]!.estimatedSeconds).toBeGreaterThan(0);
        const [row] = await suite.owner.query<{ n: unknown }>(
          'SELECT count(*) AS n FROM vsa_rotation',
        );
        expect(Number(row!.n)).toBe(0);
      });

      it('takes the backup table before any record is written', async () => {
        await suite.owner.query('DROP TABLE IF EXISTS vault_before');
        await expect(
          coordinate({ backupTable: 'vault_before', backupPath: join(dir.path, 'b.db') }),
        ).rejects.toMatchObject({ code: 'USAGE' });
        const result = await coordinate({ backupTable: 'vault_before' });
        expect(result).toMatchObject({ status: 'completed', backupPath: 'table:vault_before' });
        const original = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
        const saved = await readServerVault(suite.owner, 'vault_before');
        expect(saved).toHaveLength(original.size);
        for (const row of saved) expect(row.vault_value, row.id).toBe(original.get(row.id));
        await expectServerFixtureRotated(suite.owner, dir.path);
        await suite.owner.query('DROP TABLE vault_before');
      });

      it('a worker whose password is wrong is refused before it claims anything', async () => {
        const planned = await planFixtureRotation(suite.db, { shards: 3 });
        try {
          const refused = serve({ oldPassword: bytes('Not-The-Old-Password-0000') });
          await expect(refused).rejects.toMatchObject({ code: 'PASSWORDS_REFUSED' });
          const shards = await planned.ledger.shards(planned.rotation.id);
          expect(shards.map((shard) => shard.epoch)).toEqual([0, 0, 0]);
          // Recorded as refused (no record, no shard), so the coordinator's screen can say why.
          expect(await planned.ledger.workers(planned.rotation.id)).toEqual([
            expect.objectContaining({ state: 'refused', records: 0 }),
          ]);
          await expect(
            serve({ newPassword: bytes('Not-The-New-Password-000') }),
          ).rejects.toMatchObject({
            code: 'PASSWORDS_REFUSED',
          });
        } finally {
          await planned.dispose();
        }
      });

      it('cancel stops it (a single-machine rotation is refused meanwhile); resume completes it exactly', async () => {
        const stop = new AbortController();
        const cancelled = await coordinate({
          shards: 4,
          batchSize: 4,
          signal: stop.signal,
          progressIntervalMs: 0,
          onProgress: (progress) => {
            if (progress.rotated > 0) stop.abort();
          },
        });
        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.rotated).toBeGreaterThan(0);
        expect(cancelled.rotated).toBeLessThan(expected.rotated);
        const status = await readRotationStatus(target());
        expect(status).toMatchObject({ state: 'cancelled' });
        // Committed batches are kept: the ledger's count is what the table holds.
        const before = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
        const written = (await readServerVault(suite.owner)).filter(
          (row) => row.vault_value !== before.get(row.id),
        ).length;
        expect(written).toBe(status!.counts.rotated);
        await expect(
          rotateVault(serverRotationOptions(suite.db, dir.path, { backup: false })),
        ).rejects.toMatchObject({ code: 'DISTRIBUTED_ACTIVE' });
        await expect(coordinate()).rejects.toMatchObject({ code: 'UNFINISHED_ROTATION' });
        await expect(
          coordinate({
            resume: true,
            crypto: { openConfig: { ...tiny, iterations: tiny.iterations + 1 } },
          }),
        ).rejects.toMatchObject({ code: 'CHECKPOINT' });
        const resumed = await coordinate({ resume: true });
        expect(resumed).toMatchObject({
          status: 'completed',
          scanned: expected.scanned,
          rotated: expected.rotated,
          skipped: expected.skipped,
        });
        await expectServerFixtureRotated(suite.owner, dir.path);
      });

      it('a new coordinator takes over a rotation whose coordinator died', async () => {
        // Planned by a coordinator that died before it enqueued anything.
        const planned = await planFixtureRotation(suite.db, { shards: 5 });
        await planned.dispose();
        const result = await coordinate();
        expect(result).toMatchObject({ status: 'completed', rotated: expected.rotated });
        expect(result.notes?.join(' ')).toMatch(/Took over/);
        await expectServerFixtureRotated(suite.owner, dir.path);
      });

      it('jobs Redis lost after they were enqueued are enqueued again', async () => {
        let worker: Promise<unknown> | null = null;
        const result = await coordinate({
          localWorkers: 0,
          requeueIntervalMs: 100,
          progressIntervalMs: 0,
          onProgress: () => {
            // The jobs are in Redis (enqueued before the first progress): Redis loses them, then a worker starts.
            worker ??= admin.flushall().then(() => serve());
          },
        });
        await worker;
        expect(result).toMatchObject({ status: 'completed', rotated: expected.rotated });
        await expectServerFixtureRotated(suite.owner, dir.path);
      });

      it('Redis restarted without its data mid-rotation: the rotation completes', async () => {
        let restarted: Promise<void> | null = null;
        const result = await coordinate({
          shards: 12,
          requeueIntervalMs: 100,
          batchSize: 2,
          progressIntervalMs: 0,
          onProgress: (progress) => {
            // While the first shards run: the jobs waiting behind them are lost with Redis's data.
            if (progress.rotated > 0) restarted ??= redis.restart({ keepData: false });
          },
        });
        await restarted;
        expect(restarted).not.toBeNull();
        expectCompletedAsManifest(result, manifest, PW_A);
        await expectServerFixtureRotated(suite.owner, dir.path);
      });

      it('an application writing old-password values behind the cursors without end: incomplete', async () => {
        const oldValues = readSqliteVault(FIXTURE)
          .filter((row) => manifest.records[row.id]!.password === PW_A)
          .map((row) => row.vault_value);
        const victim = readSqliteVault(FIXTURE)[0]!.id;
        const writer = await suite.db.connect();
        let writing = true;
        const placeholder = kind === 'mysql' ? ['?', '?'] : ['$1', '$2'];
        const loop = (async () => {
          for (let i = 0; writing; i++) {
            await writer.query(
              `UPDATE vault SET vault_value = ${placeholder[0]} WHERE id = ${placeholder[1]}`,
              [oldValues[i % oldValues.length]!, victim],
            );
          }
        })();
        try {
          const result = await coordinate({ shards: 3 });
          expect(result.status).toBe('incomplete');
          expect(result.distributed.sweepRounds).toBe(5);
          expect(result.sweep).toMatchObject({ rounds: 5, stillWriting: true });
        } finally {
          writing = false;
          await loop;
          await writer.close();
        }
      });

      function startChild(): {
        done: Promise<Record<string, unknown>>;
        stop: () => void;
      } {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(here, 'support/worker-child.ts')],
          {
            stdio: ['pipe', 'pipe', 'pipe'],
            env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          },
        );
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        let last: Record<string, unknown> = {};
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('{')) last = JSON.parse(line) as Record<string, unknown>;
        });
        child.stdin.end(
          `${JSON.stringify({
            vaultUrl: suite.db.url,
            dbPassword: suite.db.password,
            table: 'vault',
            queueUrl: redisUrl(redis.info),
            queuePassword: redis.info.password,
            queueName,
            oldPassword: PW_A,
            newPassword: NEW_PASSWORD,
            workers: 1,
            batchSize: 8,
          })}\n`,
        );
        const done = new Promise<Record<string, unknown>>((resolve) =>
          child.once('exit', (code) => resolve({ ...last, code, stderr })),
        );
        return { done, stop: () => child.kill('SIGTERM') };
      }
    },
  );
}
