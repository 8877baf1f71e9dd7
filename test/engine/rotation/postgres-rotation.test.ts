/**
 * rotateVault on a vault table in a real PostgreSQL server: a fixture vault
 * copied in with the library's DDL, rotated with the tiny preset, copied back
 * and checked record by record (and by vsref when present); the backup holds
 * the values before; faults (connection killed mid-run then --resume,
 * SELECT-only login, the server's rotation lock held, wrong password).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { openVault } from '../../../src/engine/storage/index.js';
import type { PostgresDatetimeType } from '../../../bench/vaultstore-ddl.js';
import { collect } from '../../support/collect.js';
import { fixturesDir, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import {
  copyVaultFromServer,
  copyVaultToServer,
  readServerVault,
  readSqliteVault,
} from '../../support/server-vault-copy.js';
import {
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../../support/servers/index.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectedCounts,
  tiny,
} from './support/rotation-checks.js';

const FIXTURE = join(fixturesDir, 'tiny200.db');
const manifest = readManifest('tiny200');

describe.skipIf(serverUnavailable('postgres'))('rotateVault on PostgreSQL', () => {
  let db: TestDatabase;
  let owner: SqlSession;
  let dir: TempDir;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    // Sessions default to +05:30 here: the store must set its own session to UTC.
    await db.admin.query(`ALTER DATABASE ${db.database} SET timezone = 'Asia/Kolkata'`);
    owner = await db.connect();
  });
  afterAll(async () => {
    await owner?.close();
    await db?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir('vsa-pg-rotate-');
    await owner.query('DROP TABLE IF EXISTS vault, vault_meta');
  });
  afterEach(() => dir.dispose());

  /** Ends this tool's sessions (application_name vaultstore-admin), not the test's own. */
  async function killToolSessions(): Promise<number> {
    const rows = await db.admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = 'vaultstore-admin' AND datname = $1`,
      [db.database],
    );
    for (const { pid } of rows) await db.killConnection(Number(pid));
    return rows.length;
  }

  const load = (postgresDatetime: PostgresDatetimeType = 'timestamptz') =>
    copyVaultToServer(FIXTURE, owner, { postgresDatetime });

  const options = (extra: Partial<Parameters<typeof rotateVault>[0]> = {}) => ({
    vaultPath: db.url,
    serverPassword: bytes(db.password),
    oldPassword: bytes(PW_A),
    newPassword: bytes(NEW_PASSWORD),
    openConfig: tiny,
    workers: 2,
    checkpointDir: join(dir.path, 'state'),
    ...extra,
  });

  /** The server table copied back into SQLite, checked against the manifest (and by vsref). */
  async function expectRotated(): Promise<void> {
    const file = join(dir.path, 'rotated.db');
    await copyVaultFromServer(owner, file);
    copyFileSync(join(fixturesDir, 'tiny200.db.manifest.json'), `${file}.manifest.json`);
    await expectFixtureRotated(file, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
    await expectVsrefVerifies(file, {
      config: 'tiny',
      expect: `${PW_A}=>${NEW_PASSWORD}`,
      softDeleted: 'rotated',
    });
  }

  for (const datetime of ['timestamptz', 'text'] as const) {
    it(`rotates the fixture (${datetime} datetimes), backs it up first, coverage adds up`, async () => {
      await load(datetime);
      const result = await rotateVault(options());
      const expected = expectedCounts(manifest, PW_A);
      expect(result).toMatchObject({
        status: 'completed',
        table: 'public.vault',
        scanned: expected.scanned,
        rotated: expected.rotated,
        skipped: expected.skipped,
        failed: 0,
        checkpointPath: null,
      });
      expect(result.coverage).toMatchObject({
        rowsAtStart: expected.scanned,
        visited: expected.scanned,
      });
      await expectRotated();
      // the backup: a SQLite file with the values as they were before
      expect(result.backupPath).not.toBeNull();
      const backup = await openVault(result.backupPath!, { readOnly: true });
      try {
        const saved = await collect(backup.streamRecords('vault', {}));
        const before = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
        expect(saved).toHaveLength(before.size);
        for (const record of saved) expect(record.value, record.id).toBe(before.get(record.id));
      } finally {
        await backup.close();
      }
    });
  }

  it('connection killed mid-rotation: CONNECTION_LOST, then resume completes', async () => {
    await load();
    let killed: Promise<number> | null = null;
    const run = rotateVault(
      options({
        batchSize: 8,
        commitIntervalMs: 10,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          // after some batches committed: end the rotation's sessions from the server side
          if (killed === null && progress.rotated >= 24) killed = killToolSessions();
        },
      }),
    );
    await expect(run).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(await killed).toBeGreaterThan(0);
    // some records were committed before the kill, not all
    const partial = await readServerVault(owner);
    const original = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
    const changed = partial.filter((row) => row.vault_value !== original.get(row.id)).length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(expectedCounts(manifest, PW_A).rotated);

    const resumed = await rotateVault(options({ resume: true }));
    expect(resumed).toMatchObject({ status: 'completed', resumed: true, failed: 0 });
    await expectRotated();
  });

  it('SELECT-only login: SERVER_PERMISSION, the table unchanged', async () => {
    await load();
    const before = await readServerVault(owner);
    const login = await db.readOnlyUser();
    const error = await rotateVault(
      options({
        vaultPath: db.url.replace(`${db.user}@`, `${login.user}@`),
        serverPassword: bytes(login.password),
        backup: false,
      }),
    ).catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({ code: 'SERVER_PERMISSION' });
    expect((error as Error).message).not.toContain(login.password);
    expect(await readServerVault(owner)).toEqual(before);
  });

  it('the server lock held by another session: ROTATION_IN_PROGRESS, nothing written', async () => {
    await load();
    const before = await readServerVault(owner);
    const other = await openVault(db.url, { serverPassword: bytes(db.password) });
    const release = await other.lockForRotation!('vault');
    try {
      // its own state folder: only the server's lock can refuse
      const error = await rotateVault(
        options({ checkpointDir: join(dir.path, 'other-state') }),
      ).catch((e: unknown) => e as Error & { code: string });
      expect(error).toMatchObject({ code: 'ROTATION_IN_PROGRESS' });
      expect(await readServerVault(owner)).toEqual(before);
    } finally {
      await release();
      await other.close();
    }
  });

  it('wrong database password: SERVER_AUTH without the password', async () => {
    await load();
    const wrong = 'Not-The-Db-Password-42';
    const error = await rotateVault(options({ serverPassword: bytes(wrong) })).catch(
      (e: unknown) => e as Error & { code: string },
    );
    expect(error).toMatchObject({ code: 'SERVER_AUTH' });
    expect((error as Error).message).not.toContain(wrong);
    expect((error as Error).message).not.toContain(db.password);
  });
});
