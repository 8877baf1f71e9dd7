/**
 * The app coordinates a distributed rotation (issue 19): VaultService behind
 * main's IPC router, on a real PostgreSQL 15 table and a real Redis, with
 * `worker` processes of the built CLI started with `--table vault` (the app
 * names the table `public.vault`: both must find the same queue). Real engine
 * host threads, real Argon2id (tiny). After each rotation: the table rotated
 * as the template says (and vsref's verify), and no password in any event,
 * answer, app file, Redis key or ledger row.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { appWorkerEntries, buildWorkers } from '../../scripts/build-workers.mjs';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { openVault } from '../../src/engine/index.js';
import { readWorkerBundles, startWorkerBundle } from '../../src/engine/worker-script.js';
import type { HostCommand, HostReply } from '../../src/main/host/engine-host-protocol.js';
import { keepAwakeDuringRotations } from '../../src/main/shell/keep-awake.js';
import {
  isDistributedResult,
  type AuditEntry,
  type DistributedCheckResult,
  type DistributedResult,
  type DistributedStatus,
  type QueueConnection,
  type VaultSummary,
} from '../../src/shared/ipc-contract.js';
import { buildCliForTest, collect, type BuiltCli } from '../support/cli.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD } from '../support/passwords.js';
import { redisUnavailable } from '../support/redis.js';
import { serverUnavailable } from '../support/servers/index.js';
import { buildTemplate, type VaultTemplate } from '../reliability/support/rotation-vault.js';
import {
  expectNoPasswordAnywhere,
  expectRotatedAsTemplate,
  isEvent,
  freezeHoldingShard,
  startCluster,
  untilJson,
  WRONG_PASSWORD,
  type Cluster,
} from '../reliability/distributed/support/cluster.js';
import { appOver, openTinyDialog, recordJobKinds, settledStatus } from './support/app-store.js';
import {
  distributedRequest,
  progressWhere,
  queueForm,
  startAppCoordinator,
  stopAll,
  type AppCoordinator,
} from './support/distributed-app.js';
import { closedPort, postgresForm } from './support/ipc-caller.js';

/** records in the table: a dozen shards of a few batches each */
const RECORDS = 1200;

const unavailable = serverUnavailable('postgres') ?? redisUnavailable();

describe.skipIf(unavailable)(
  'the app coordinates a distributed rotation (PostgreSQL, Redis)',
  () => {
    let cli: BuiltCli;
    let temp: TempDir;
    let template: VaultTemplate;
    let cluster: Cluster;
    let app: AppCoordinator;
    let vault: { handle: string; table: string };

    beforeAll(async () => {
      cli = await buildCliForTest('app-distributed');
      temp = makeTempDir('vsa-app-distributed-');
      template = await buildTemplate(join(temp.path, 'template'), RECORDS);
      cluster = await startCluster('postgres', cli);
    });
    afterAll(async () => {
      await cluster?.dispose();
      temp?.dispose();
      cli?.dispose();
    });
    beforeEach(async () => {
      await cluster.reset(template);
      app = startAppCoordinator(cluster, mkdtempSync(join(temp.path, 'app-')));
      vault = await app.connect();
    });
    afterEach(async () => {
      await app?.dispose();
      await stopAll(cluster.started);
    });

    const table = (): { vault: string; table: string } => ({
      vault: vault.handle,
      table: vault.table,
    });

    /** Starts a rotation coordinated by the app; answers its job id. */
    async function start(
      overrides: Parameters<typeof distributedRequest>[3] = {},
    ): Promise<string> {
      const jobId = randomUUID();
      const answer = await app.value(
        'startDistributedRotation',
        {
          ...distributedRequest(vault.handle, vault.table, cluster, overrides),
        },
        jobId,
      );
      expect(answer).toEqual({ jobId });
      return jobId;
    }

    async function resultOf(jobId: string): Promise<DistributedResult> {
      const final = await app.log.final(jobId);
      if (final.type !== 'result') throw new Error(`expected a result: ${JSON.stringify(final)}`);
      if (!isDistributedResult(final.result)) throw new Error('not a distributed result');
      return final.result;
    }

    /** No password in the events, the answers, or any file of the app's data folder. */
    function expectNoPasswordInTheApp(): void {
      const secrets = cluster.secrets();
      const leaks = [
        ...leaksIn(JSON.stringify(app.log.events), secrets, 'the events'),
        ...leaksIn(app.answers.join('\n'), secrets, 'the answers'),
      ];
      for (const name of readdirSync(app.dataDir)) {
        leaks.push(...leaksIn(readFileSync(join(app.dataDir, name), 'utf8'), secrets, name));
      }
      expect(leaks).toEqual([]);
    }

    it('checks, coordinates; a CLI worker joins and rotates the table; the result proves coverage', async () => {
      const check = await app.value<DistributedCheckResult>(
        'checkDistributed',
        { ...table(), queue: queueForm(cluster) },
        randomUUID(),
      );
      expect(check).toEqual({ queueAnswered: true, ledger: 'can-create', unfinished: null });

      const jobId = await start({ backup: true });
      const worker = cluster.worker();
      const working = await progressWhere(app.log, jobId, (event) =>
        event.progress.workers.some((row) => row.state === 'working'),
      );
      expect(working.progress).toMatchObject({ total: RECORDS });
      expect(working.progress.shards).toBeGreaterThan(1);
      expect(working.atMs).toBeGreaterThanOrEqual(working.progress.workers[0]!.lastSeenMs - 60_000);
      const result = await resultOf(jobId);
      expect(result).toMatchObject({
        status: 'completed',
        rotated: template.rotatable,
        failed: 0,
        coverage: { rowsAtStart: RECORDS, visited: RECORDS },
      });
      // The union proof: every shard of the plan, each row of the start visited once.
      expect(result.distributed.shards).toBe(working.progress.shards);
      expect(result.distributed.workers).toHaveLength(1);
      // The worker's own count as it last wrote it (after each shard and each poll): the coordinator
      // may take its last look before the worker's last write; the exact figures are the shards'.
      expect(result.distributed.workers[0]).toMatchObject({ pool: 1 });
      expect(result.distributed.workers[0]!.records).toBeGreaterThan(0);
      expect(result.distributed.workers[0]!.records).toBeLessThanOrEqual(RECORDS);
      expect(result.backupPath).toMatch(/\.backup-\d{8}-\d{6}\.db$/);
      expect((await collect(worker)).code).toBe(EXIT.ok);
      await expectRotatedAsTemplate(cluster, template);

      // Completed: the ledger is dropped, nothing is unfinished.
      expect(await app.value('distributedStatus', table())).toBeNull();
      const [entry] = await app.value<AuditEntry[]>('auditLog');
      expect(entry).toMatchObject({
        table: 'public.vault',
        outcome: 'completed',
        resume: false,
        counts: { scanned: RECORDS, rotated: template.rotatable, failed: 0 },
        distributed: {
          queue: expect.stringMatching(/^redis:\/\/127\.0\.0\.1:\d+\/0$/),
          workHere: false,
          rotation: result.distributed.rotation,
          shards: result.distributed.shards,
          workers: [{ records: result.distributed.workers[0]!.records, state: expect.any(String) }],
        },
      });
      expect(await app.value<QueueConnection[]>('recentQueues')).toEqual([
        { url: queueForm(cluster).url, caFile: null },
      ]);
      expectNoPasswordInTheApp();
      await expectNoPasswordAnywhere(cluster);
    });

    it('cancelJob stops every worker (batches kept), the status shows it unfinished; resume completes', async () => {
      const jobId = await start();
      const worker = cluster.worker();
      const id = String((await untilJson(worker, isEvent('joined'))).worker);
      await freezeHoldingShard(cluster, worker, id);
      // While it coordinates: the quit guard sees a coordinated rotation, the vault stays open.
      expect(app.service.activeRotation()).toMatchObject({ jobId, kind: 'coordinate' });
      const close = await app.call('closeVault', vault.handle);
      expect(close).toMatchObject({ ok: false, error: { code: 'BUSY' } });
      expect(
        await app.call(
          'startDistributedRotation',
          distributedRequest(vault.handle, vault.table, cluster),
          randomUUID(),
        ),
      ).toMatchObject({ ok: false, error: { code: 'BUSY' } });

      await app.value('cancelJob', jobId);
      const cancelled = await resultOf(jobId);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.rotated).toBeLessThan(template.rotatable);
      worker.child.kill('SIGCONT');
      expect((await collect(worker)).code).toBe(EXIT.cancelled);

      const status = await app.value<DistributedStatus>('distributedStatus', table());
      expect(status).toMatchObject({
        state: 'cancelled',
        rotation: cancelled.distributed.rotation,
      });
      expect(status.shardsDone).toBeLessThan(status.shards);
      const check = await app.value<DistributedCheckResult>(
        'checkDistributed',
        { ...table(), queue: queueForm(cluster) },
        randomUUID(),
      );
      expect(check).toMatchObject({ ledger: 'exists', unfinished: { state: 'cancelled' } });
      // A fresh start is refused while it is unfinished; nothing changes.
      const refused = await start();
      expect(await app.log.final(refused)).toMatchObject({
        type: 'error',
        error: { code: 'UNFINISHED_ROTATION' },
      });

      const resumed = await start({ resume: true });
      const helper = cluster.worker();
      const result = await resultOf(resumed);
      expect(result).toMatchObject({ status: 'completed', rotated: template.rotatable, failed: 0 });
      expect((result.notes ?? []).join(' ')).toMatch(/Resumed the cancelled distributed rotation/);
      expect((await collect(helper)).code).toBe(EXIT.ok);
      await expectRotatedAsTemplate(cluster, template);
      expect(await app.value('closeVault', vault.handle)).toBeNull();
      expectNoPasswordInTheApp();
      await expectNoPasswordAnywhere(cluster);
    });

    it('cancelDistributed cancels it from the ledger; resumed with this machine working, it completes', async () => {
      // The machine stays awake while it coordinates (Electron's blocker is the one fake).
      const held = new Set<number>();
      const awake = keepAwakeDuringRotations(app.service, {
        start: () => (held.add(held.size + 1), held.size),
        stop: (id) => void held.delete(id),
      });
      // No worker yet: the rotation is planned and waits.
      const jobId = await start();
      await progressWhere(app.log, jobId, (event) => event.progress.shards > 0);
      expect(held.size).toBe(1);
      const status = await app.value<DistributedStatus>('cancelDistributed', table());
      expect(status.state).toBe('cancelled');
      expect((await resultOf(jobId)).status).toBe('cancelled');
      expect(held.size).toBe(0);
      awake();
      expect(await app.value('distributedStatus', table())).toMatchObject({ state: 'cancelled' });

      const resumed = await start({ resume: true, workHere: true });
      const result = await resultOf(resumed);
      expect(result).toMatchObject({ status: 'completed', rotated: template.rotatable });
      expect(result.distributed.workers.map((row) => row.worker)).toEqual([
        expect.stringMatching(/:local$/),
      ]);
      await expectRotatedAsTemplate(cluster, template);
      expectNoPasswordInTheApp();
      await expectNoPasswordAnywhere(cluster);
    });

    it('a worker with a wrong password is refused before any claim and shows "refused" in the progress', async () => {
      const jobId = await start();
      const wrong = cluster.worker({ passwords: { old: WRONG_PASSWORD, new: NEW_PASSWORD } });
      expect((await collect(wrong)).code).toBe(EXIT.passwordsRefused);
      // Any ledger read after it left shows it: it recorded its refusal before it exited.
      const exitedAt = app.log.events.length;
      const seen = await progressWhere(
        app.log,
        jobId,
        (event) => app.log.events.indexOf(event) >= exitedAt,
      );
      expect(seen.progress.workers).toEqual([
        expect.objectContaining({ state: 'refused', records: 0 }),
      ]);
      expect(seen.progress.scanned).toBe(0);
      await app.value('cancelJob', jobId);
      expect((await resultOf(jobId)).status).toBe('cancelled');
      expectNoPasswordInTheApp();
      await expectNoPasswordAnywhere(cluster);
    });

    it('quitting while it coordinates cancels it for every worker (the ledger says cancelled)', async () => {
      const jobId = await start();
      await progressWhere(app.log, jobId, (event) => event.progress.shards > 0);
      await app.service.dispose();
      expect(await app.log.final(jobId)).toMatchObject({
        type: 'result',
        result: { status: 'cancelled' },
      });
      const [row] = await cluster.owner.query<{ state: string }>('SELECT state FROM vsa_rotation');
      expect(row?.state).toBe('cancelled');
    });

    /** The vault table's rows, to compare before and after a Start that must write nothing. */
    const vaultRows = () =>
      cluster.owner.query<Record<string, unknown>>('SELECT * FROM vault ORDER BY id');
    /** rotations the ledger holds (its tables may exist: the coordinator makes them first) */
    async function ledgerRotations(): Promise<number> {
      const [found] = await cluster.owner.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'vsa_rotation'",
      );
      if (found?.n === 0) return 0;
      const [row] = await cluster.owner.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM vsa_rotation',
      );
      return row!.n;
    }

    it('a Start through the renderer store runs the queue check and the coordinator only: its own check first', async () => {
      const kinds = recordJobKinds();
      const ui = appOver(app.service);
      try {
        await ui.store.getState().openVault(vault.handle);
        const state = ui.store.getState();
        expect(state.selectedTable).toBe(vault.table);
        openTinyDialog(ui.store, { old: OLD_PASSWORD, new: NEW_PASSWORD });
        const queue = queueForm(cluster);
        state.updateQueueForm({
          use: true,
          url: queue.url,
          password: queue.password!,
          workHere: true,
        });
        const ended = settledStatus(ui.store);
        await ui.store.getState().submitRotateDialog();
        expect(await ended).toBe('completed');

        // The queue's check (no derivations), then the coordinator: no separate pre-flight job.
        expect(kinds).toEqual(['distributed-check', 'coordinate']);
        expect(ui.calls.filter((call) => call === 'preflight')).toEqual([]);
        const jobId = ui.store.getState().job!.jobId;
        const types = app.log.events.filter((event) => event.jobId === jobId).map((e) => e.type);
        expect(types.filter((type) => type === 'preflight-result')).toHaveLength(1);
        expect(types.indexOf('preflight-progress')).toBeGreaterThanOrEqual(0);
        expect(types.indexOf('preflight-progress')).toBeLessThan(types.indexOf('preflight-result'));
        expect(types.indexOf('preflight-result')).toBeLessThan(
          types.indexOf('distributed-progress'),
        );
        expect(types.lastIndexOf('preflight-progress')).toBeLessThan(
          types.indexOf('distributed-progress'),
        );
        const check = app.log.events.find(
          (event) => event.jobId === jobId && event.type === 'preflight-result',
        );
        // Its estimate is filled (this machine's pool alone), as one machine's is.
        expect(check?.type === 'preflight-result' && check.result).toMatchObject({
          canRotate: true,
          total: RECORDS,
          table: 'public.vault',
        });
        expect(ui.store.getState().result).toMatchObject({
          status: 'completed',
          rotated: template.rotatable,
        });
        await expectRotatedAsTemplate(cluster, template);
        expect(JSON.stringify(ui.store.getState())).not.toContain(OLD_PASSWORD);
        expectNoPasswordInTheApp();
      } finally {
        ui.dispose();
        vi.restoreAllMocks();
      }
    });

    it('a Start with a wrong password: the check’s result, then its refusal; nothing written or recorded', async () => {
      const before = await vaultRows();
      const jobId = await start({ oldPassword: WRONG_PASSWORD });
      const final = await app.log.final(jobId);
      expect(final).toMatchObject({ type: 'error', error: { code: 'NOTHING_OPENED' } });
      const events = app.log.events.filter((event) => event.jobId === jobId);
      const types = events.map((event) => event.type);
      expect(types.filter((type) => type === 'preflight-result')).toHaveLength(1);
      expect(types.indexOf('preflight-result')).toBeLessThan(types.indexOf('error'));
      expect(types).not.toContain('distributed-progress');
      const check = events.find((event) => event.type === 'preflight-result');
      expect(check?.type === 'preflight-result' && check.result).toMatchObject({
        canRotate: false,
        opened: 0,
      });
      expect(await vaultRows()).toEqual(before);
      expect(await ledgerRotations()).toBe(0);
      expect(await app.value('distributedStatus', table())).toBeNull();
      // Refused in its check, as one machine's: no audit line.
      expect(await app.value('auditLog')).toEqual([]);
      expectNoPasswordInTheApp();
    });

    it('a cancel sent with the Start ends it in its check: no rotation planned, no audit line', async () => {
      const before = await vaultRows();
      const jobId = await start();
      // Queued behind the start on the host's port: handled at the job's first wait, not by a timer.
      await app.value('cancelJob', jobId);
      const final = await app.log.final(jobId);
      expect(final.type).toBe('error');
      const check = app.log.events.find(
        (event) => event.jobId === jobId && event.type === 'preflight-result',
      );
      expect(check?.type === 'preflight-result' && check.result.cancelled).toBe(true);
      expect(await vaultRows()).toEqual(before);
      expect(await ledgerRotations()).toBe(0);
      expect(await app.value('auditLog')).toEqual([]);
    });

    it('the engine host started from its bundle (as the packaged app runs it) coordinates: BullMQ and ioredis bundled', async () => {
      const folder = join(temp.path, 'workers');
      await buildWorkers(appWorkerEntries(), { outdir: folder });
      const bundles = readWorkerBundles(folder, 'engine-host');
      if (!bundles) throw new Error('no engine-host bundle');
      const bytes = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);
      const passwords = {
        old: bytes(OLD_PASSWORD),
        new: bytes(NEW_PASSWORD),
        db: bytes(cluster.db.password),
        redis: bytes(cluster.redis.info.password),
      };
      const command: HostCommand = {
        type: 'coordinate',
        options: {
          target: {
            vaultPath: cluster.url,
            table: 'vault',
            open: { serverPassword: passwords.db },
          },
          queue: { url: queueForm(cluster).url, password: passwords.redis },
          oldPassword: passwords.old,
          newPassword: passwords.new,
          crypto: { openConfig: ARGON2_PRESETS.tiny },
          localWorkers: 1,
        },
      };
      const thread = startWorkerBundle(bundles, 'engine-host');
      try {
        const told: HostReply['type'][] = [];
        const reply = await new Promise<HostReply>((resolve, reject) => {
          thread.on('message', (message: HostReply) => {
            told.push(message.type);
            if (message.type === 'done' || message.type === 'failed') resolve(message);
          });
          thread.once('error', reject);
          thread.postMessage(
            command,
            Object.values(passwords).map((view) => view.buffer),
          );
        });
        expect(reply).toMatchObject({
          type: 'done',
          value: { status: 'completed', rotated: template.rotatable },
        });
        // Its own check told first (the pre-flight), then the ledger's progress.
        expect(told).toContain('preflight-progress');
        expect(told.indexOf('preflight')).toBeGreaterThan(told.indexOf('preflight-progress'));
        expect(told.indexOf('preflight')).toBeLessThan(told.indexOf('progress'));
      } finally {
        await thread.terminate();
      }
      // Transferred: nothing of the passwords is left in this thread.
      expect(Object.values(passwords).map((view) => view.byteLength)).toEqual([0, 0, 0, 0]);
      await expectRotatedAsTemplate(cluster, template);
    });

    it('the checks say what is wrong: Redis password, Redis down, another rotation, ledger rights, a SQLite file', async () => {
      const check = (queue: object, handle = vault.handle, name = vault.table) =>
        app.call('checkDistributed', { vault: handle, table: name, queue }, randomUUID());
      const queue = queueForm(cluster);
      expect(await check({ ...queue, password: 'wrong-Redis-Pw-20' })).toMatchObject({
        ok: false,
        error: { code: 'QUEUE_AUTH' },
      });
      expect(
        await check({ ...queue, url: `redis://127.0.0.1:${await closedPort()}/0` }),
      ).toMatchObject({ ok: false, error: { code: 'QUEUE_UNREACHABLE' } });

      // Another program's rotation holds the table (its lock, on another connection).
      const other = await openVault(cluster.url, {
        serverPassword: new TextEncoder().encode(cluster.db.password),
      });
      try {
        const release = await other.lockForRotation!('vault');
        expect(await check(queue)).toMatchObject({
          ok: false,
          error: { code: 'ROTATION_IN_PROGRESS' },
        });
        await release();
      } finally {
        await other.close();
      }
      expect(await check(queue)).toMatchObject({ ok: true });

      const reader = await cluster.db.readOnlyUser();
      const summary = await app.value<VaultSummary>('connectDatabase', {
        ...postgresForm(cluster.db),
        user: reader.user,
        password: reader.password,
      });
      expect(await check(queue, summary.handle)).toMatchObject({
        ok: false,
        error: { code: 'LEDGER_PERMISSION', message: expect.stringMatching(/CREATE/) },
      });
      // Nothing was created by any check.
      const tables = await cluster.owner.query(
        "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'vsa\\_%'",
      );
      expect(tables).toEqual([]);

      const file = app.service.chooseVault(copyFixture('tiny200', temp.path));
      if (!file.ok) throw new Error(file.error.message);
      expect(await check(queue, file.value, 'vault')).toMatchObject({
        ok: false,
        error: { code: 'DISTRIBUTED_SQLITE' },
      });
      expectNoPasswordInTheApp();
    });

    it('refuses a password inside the queue URL and a scheme that is not Redis, starting nothing', async () => {
      const secret = cluster.redis.info.password;
      for (const url of [`redis://:${secret}@127.0.0.1:6379/0`, 'http://127.0.0.1:6379']) {
        const queue = { ...queueForm(cluster), url };
        const answers = [
          await app.call('checkDistributed', { ...table(), queue }, randomUUID()),
          await app.call(
            'startDistributedRotation',
            { ...distributedRequest(vault.handle, vault.table, cluster), queue },
            randomUUID(),
          ),
        ];
        for (const answer of answers) {
          expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
          expect(JSON.stringify(answer)).not.toContain(secret);
        }
      }
      expect(app.log.events).toEqual([]);
      expect(app.service.activeRotation()).toBeNull();
      expect(await app.value('recentQueues')).toEqual([]);
    });
  },
);
