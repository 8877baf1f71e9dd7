/**
 * The app's database connections against a real PostgreSQL server (started
 * by vitest's globalSetup): VaultService's testConnection / connectDatabase
 * through main's own IPC router (sender check, the contract's validation),
 * real engine-host threads, the real pg driver, real Argon2id (tiny preset).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECENT_CONNECTIONS_FILE } from '../../src/main/host/recent-connections.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import {
  type ConnectionTestResult,
  type IpcMethodName,
  type IpcResult,
  type PreflightResult,
  type RotationResult,
  type ServerConnectionRequest,
  type VaultSummary,
  type VerifyResult,
} from '../../src/shared/ipc-contract.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';
import { FIXTURE_PASSWORD_A, secretForms } from '../support/passwords.js';
import { copyVaultToServer } from '../support/server-vault-copy.js';
import { serverUnavailable, testDatabase, type TestDatabase } from '../support/servers/index.js';
import { closedPort, connectForm, ipcCaller, postgresForm } from './support/ipc-caller.js';

describe.skipIf(serverUnavailable('postgres'))(
  'database connections in the app (PostgreSQL)',
  () => {
    let db: TestDatabase;
    let temp: TempDir;
    let service: VaultService;
    let dataDir: string;
    let call: <M extends IpcMethodName>(
      method: M,
      ...args: unknown[]
    ) => Promise<IpcResult<unknown>>;

    const form = (extra: Partial<ServerConnectionRequest> = {}): ServerConnectionRequest =>
      postgresForm(db, extra);

    /** Every answer of these calls, as text: searched for the passwords at the end. */
    let answers: string[] = [];
    const remember = <T>(result: IpcResult<T>): IpcResult<T> => {
      answers.push(JSON.stringify(result));
      return result;
    };

    beforeAll(async () => {
      temp = makeTempDir('vsa-server-app-');
      db = await testDatabase('postgres');
      const session = await db.connect();
      try {
        await copyVaultToServer(copyFixture('tiny200', temp.path), session);
      } finally {
        await session.close();
      }
      dataDir = join(temp.path, 'app-data');
      service = new VaultService({ dataDir, workers: 1, checkpointDir: join(temp.path, 'state') });
      const caller = ipcCaller(service);
      answers = caller.answers;
      call = caller.call;
    });

    afterAll(async () => {
      await service?.dispose();
      await db?.dispose();
      temp?.dispose();
    });

    it('tests a connection: the vault tables found, or the server error with its code', async () => {
      const found = await call('testConnection', form());
      expect(found.ok, JSON.stringify(found)).toBe(true);
      const result = (found as { value: ConnectionTestResult }).value;
      expect(result.display).toBe(db.url);
      expect(result.driver).toBe('postgres');
      expect(result.tables.map((table) => [table.name, table.records])).toEqual([
        ['public.vault', 200],
      ]);

      const expectError = async (request: ServerConnectionRequest, code: string): Promise<void> => {
        const answer = await call('testConnection', request);
        expect(answer.ok, `${code}: ${JSON.stringify(answer)}`).toBe(false);
        if (!answer.ok) {
          expect(answer.error.code).toBe(code);
          expect(answer.error.message.length).toBeGreaterThan(20);
        }
      };
      await expectError(form({ password: 'wrong-Db-Password-931' }), 'SERVER_AUTH');
      await expectError(form({ database: `${db.database}_missing` }), 'DATABASE_NOT_FOUND');
      await expectError(form({ port: await closedPort() }), 'SERVER_UNREACHABLE');
      // .invalid never resolves (RFC 6761): a name problem, not a server that did not answer.
      await expectError(form({ host: 'vault-db.invalid' }), 'HOST_NOT_FOUND');
    });

    it('connects: a server handle whose jobs get the database password from main', async () => {
      const opened = await call('connectDatabase', form());
      expect(opened.ok, JSON.stringify(opened)).toBe(true);
      const summary = (opened as { value: VaultSummary }).value;
      expect(summary.path).toBe(db.url);
      expect(summary.driver).toBe('postgres');
      expect(summary.fileName).toBe(`${db.database} on ${db.host}`);
      expect(summary.tables.find((table) => table.name === 'public.vault')?.records).toBe(200);

      // The page sends only the handle: the pre-flight and verify jobs connect with main's copy.
      const preflight = await call(
        'preflight',
        {
          vault: summary.handle,
          table: 'vault',
          oldPassword: FIXTURE_PASSWORD_A,
          crypto: { preset: 'tiny' },
          includeSoftDeleted: true,
        },
        crypto.randomUUID(),
      );
      expect(preflight.ok, JSON.stringify(preflight)).toBe(true);
      expect((preflight as { value: PreflightResult }).value.opened).toBeGreaterThan(0);
      const verify = await call(
        'verify',
        {
          vault: summary.handle,
          table: 'vault',
          password: FIXTURE_PASSWORD_A,
          crypto: { preset: 'tiny' },
          sampleSize: 20,
        },
        crypto.randomUUID(),
      );
      expect(verify.ok, JSON.stringify(verify)).toBe(true);
      expect((verify as { value: VerifyResult }).value.checked).toBe(20);
      expect((await call('openVault', summary.handle)).ok).toBe(true);

      // Closed: main forgot the password, so the handle no longer gets in.
      expect(await call('closeVault', summary.handle)).toEqual({ ok: true, value: null });
      const after = await call('openVault', summary.handle);
      expect(after.ok).toBe(false);
      if (!after.ok) expect(after.error.code).toBe('SERVER_AUTH');
    });

    it('keeps nothing of a connection that fails', async () => {
      const failed = await call('connectDatabase', form({ password: 'wrong-Db-Password-931' }));
      expect(failed.ok).toBe(false);
      if (!failed.ok) expect(failed.error.code).toBe('SERVER_AUTH');
      // The earlier good connection is the only one listed.
      const recent = await call('recentConnections');
      expect(recent).toEqual({
        ok: true,
        value: [
          {
            dialect: 'postgres',
            host: db.host,
            port: db.port,
            database: db.database,
            user: db.user,
            tls: 'disable',
            caFile: null,
          },
        ],
      });
    });

    it('stores the recent connections privately and never with the password', () => {
      const file = join(dataDir, RECENT_CONNECTIONS_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain(db.database);
      for (const form of secretForms(db.password)) expect(text).not.toContain(form);
      expect(JSON.parse(text).connections[0]).not.toHaveProperty('password');
    });

    it('refuses bad requests before connecting, without echoing the password', async () => {
      const long = `${db.password}${'x'.repeat(2000)}`;
      for (const [request, field] of [
        [form({ port: 70000 }), 'port'],
        [form({ host: `${db.host}:1/other?sslmode=disable` }), 'host'],
        [form({ host: `attacker@${db.host}` }), 'host'],
        [form({ password: long }), 'password'],
      ] as const) {
        for (const method of ['testConnection', 'connectDatabase'] as const) {
          const answer = await call(method, request);
          expect(answer.ok).toBe(false);
          if (!answer.ok) {
            expect(answer.error.code).toBe('INVALID_ARGUMENT');
            expect(answer.error.message).toContain(field);
          }
        }
      }
    });

    it('shows a cancelled rotation of a server table as resumable, and resumes it', async () => {
      // Small batches and every progress event: the cancel lands mid-table.
      const slow = new VaultService({
        dataDir: join(temp.path, 'app-data-cancel'),
        workers: 1,
        checkpointDir: join(temp.path, 'state'),
        batchSize: 4,
        progressIntervalMs: 0,
      });
      try {
        const opened = remember(await slow.connectDatabase(form()));
        if (!opened.ok) throw new Error(opened.error.message);
        const rotation = {
          vault: opened.value.handle,
          table: 'vault',
          oldPassword: FIXTURE_PASSWORD_A,
          newPassword: 'Server-New-Password-2291',
          crypto: { preset: 'tiny' },
          includeSoftDeleted: true,
          backup: true,
          dryRun: false,
          resume: false,
        } as const;
        const run = async (
          resume: boolean,
          cancelAfter: number | null,
        ): Promise<RotationResult> => {
          const jobId = crypto.randomUUID();
          const finished = new Promise<RotationResult>((resolve, reject) => {
            let asked = false;
            const stop = slow.onJobEvent((event) => {
              if (event.jobId !== jobId) return;
              if (event.type === 'progress' && cancelAfter !== null && !asked) {
                if (event.progress.rotated >= cancelAfter) {
                  asked = true;
                  void slow.cancelJob(jobId);
                }
              } else if (event.type === 'result') {
                stop();
                resolve(event.result);
              } else if (event.type === 'error') {
                stop();
                reject(new Error(`${event.error.code}: ${event.error.message}`));
              }
            });
          });
          const started = remember(await slow.startRotation({ ...rotation, resume }, jobId));
          if (!started.ok) throw new Error(started.error.message);
          return finished;
        };
        const cancelled = await run(false, 8);
        expect(cancelled.status).toBe('cancelled');
        expect(cancelled.scanned).toBeLessThan(200);

        const reread = remember(await slow.openVault(opened.value.handle));
        if (!reread.ok) throw new Error(reread.error.message);
        expect(reread.value.checkpointProblem).toBeNull();
        expect(reread.value.unfinishedRotations).toHaveLength(1);
        // the table's own name, with its schema, whichever form the request gave
        expect(reread.value.unfinishedRotations[0]).toMatchObject({
          table: 'public.vault',
          runs: 1,
        });
        expect(reread.value.unfinishedRotations[0]!.counts.scanned).toBeGreaterThan(0);

        const finished = await run(true, null);
        expect(finished.status).toBe('completed');
        const after = remember(await slow.openVault(opened.value.handle));
        expect(after.ok && after.value.unfinishedRotations).toEqual([]);
      } finally {
        await slow.dispose();
      }
    });

    it('never puts the database password in an answer', () => {
      expect(answers.length).toBeGreaterThan(10);
      for (const form of secretForms(db.password))
        for (const answer of answers) expect(answer).not.toContain(form);
    });
  },
);

describe.skipIf(serverUnavailable('mysql'))('database connections in the app (MariaDB)', () => {
  let db: TestDatabase;
  let temp: TempDir;
  let service: VaultService;

  beforeAll(async () => {
    temp = makeTempDir('vsa-server-app-mysql-');
    db = await testDatabase('mysql');
    const session = await db.connect();
    try {
      await copyVaultToServer(copyFixture('tiny200', temp.path), session);
    } finally {
      await session.close();
    }
    service = new VaultService({
      dataDir: join(temp.path, 'app-data'),
      workers: 1,
      checkpointDir: join(temp.path, 'state'),
    });
  });

  afterAll(async () => {
    await service?.dispose();
    await db?.dispose();
    temp?.dispose();
  });

  it('tests, connects and runs a pre-flight with the password main keeps', async () => {
    const request = connectForm(db);
    const tested = await service.testConnection(request);
    expect(tested.ok, JSON.stringify(tested)).toBe(true);
    if (tested.ok) {
      expect(tested.value.driver).toBe('mysql');
      expect(tested.value.tables.map((table) => table.records)).toEqual([200]);
    }
    const refused = await service.testConnection({ ...request, password: 'wrong-Db-Password-931' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('SERVER_AUTH');
      expect(refused.error.message).not.toContain(db.password);
    }
    const opened = await service.connectDatabase(request);
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    if (!opened.ok) return;
    expect(opened.value.path).toBe(db.url);
    const preflight = await service.preflight({
      vault: opened.value.handle,
      table: 'vault',
      oldPassword: FIXTURE_PASSWORD_A,
      crypto: { preset: 'tiny' },
      includeSoftDeleted: true,
    });
    expect(preflight.ok, JSON.stringify(preflight)).toBe(true);
    if (preflight.ok) expect(preflight.value.opened).toBeGreaterThan(0);
  });
});
