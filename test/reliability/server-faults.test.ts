/**
 * Faults on a real PostgreSQL / MariaDB server that a resume must finish
 * (issue 15, section 4). Each ends with the vault fully rotated (the table
 * copied back and checked against the fixture record for record):
 * - a connection lost while the backup table is made (MariaDB: CREATE
 *   TABLE commits on its own) leaves no table that looks like a backup, and
 *   the resume rebuilds it; a complete backup table a stopped run did not
 *   record is recognised as this rotation's and kept;
 * - session timeouts set for the login (idle in transaction, wait_timeout)
 *   do not end the tool's sessions;
 * - a network that goes silent mid-run: a clear error within the server
 *   timeout, then --resume completes;
 * - a resume of a rotation that completed says so (exit class ok).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { interpretResult } from '../../src/core/verdict.js';
import { rotateVault, type RotationOptions } from '../../src/engine/index.js';
import {
  checkpointPathFor,
  readCheckpoint,
  writeCheckpoint,
} from '../../src/engine/rotation/state/checkpoint.js';
import { rotationStateBase } from '../../src/engine/rotation/state/state-paths.js';
import { mysqlConnectionOptions } from '../../src/engine/storage/mysql/connection-options.js';
import { MysqlSession } from '../../src/engine/storage/mysql/session.js';
import { parseServerTarget } from '../../src/engine/storage/server/server-target.js';
import { makeTempDir, readManifest, type TempDir } from '../support/fixtures.js';
import { readServerVault } from '../support/server-vault-copy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  startPrivateServer,
  testDatabase,
  type ManagedServer,
  type ServerKind,
  type TestDatabase,
} from '../support/servers/index.js';
import { toolSessionsGone } from '../support/server-state.js';
import { expectServerFixtureRotated, loadServerFixture } from '../support/server-fixture.js';
import { withStallProxy } from '../support/stall-proxy.js';
import {
  PW_A,
  bytes,
  expectedCounts,
  serverRotationOptions,
} from '../engine/rotation/support/rotation-checks.js';

const manifest = readManifest('tiny200');
const expected = expectedCounts(manifest, PW_A);

const loadFixture = (db: TestDatabase) => loadServerFixture(db, ['bk']);
const expectVaultRotated = expectServerFixtureRotated;

/** The rows of `table` as the owner reads them. */
async function rowsOf(db: TestDatabase, table: string) {
  const owner = await db.connect();
  try {
    return await readServerVault(owner, table);
  } finally {
    await owner.close();
  }
}

const options = serverRotationOptions;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => error as Error & { code?: string },
  );

/**
 * Per server: a session holding what the backup-table copy must wait for (MySQL: a row the
 * INSERT ... SELECT reads with a shared lock; PostgreSQL, whose copy is one transaction: an
 * uncommitted table of the same name, which its CREATE TABLE waits for), and how to find the
 * tool's session waiting there.
 */
const COPY_HOLD = {
  mysql: {
    hold: ['START TRANSACTION', 'SELECT id FROM vault ORDER BY id DESC LIMIT 1 FOR UPDATE'],
    waiting:
      "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND INFO LIKE 'INSERT INTO%'",
  },
  postgres: {
    hold: ['BEGIN', 'CREATE TABLE bk (x int)'],
    waiting: `SELECT pid AS id FROM pg_stat_activity WHERE usename = $1
      AND application_name = 'vaultstore-admin' AND wait_event_type = 'Lock' AND query LIKE 'CREATE TABLE%'`,
  },
} as const;

/** Tables of the database other than the vault's, with their comments. */
async function otherTables(db: TestDatabase): Promise<{ name: string; comment: string }[]> {
  const rows =
    db.kind === 'postgres'
      ? await db.admin.query<{ name: string; comment: string | null }>(
          `SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
             AND c.relname NOT IN ('vault', 'vault_meta') ORDER BY c.relname`,
        )
      : await db.admin.query<{ name: string; comment: string }>(
          'SELECT TABLE_NAME AS name, TABLE_COMMENT AS comment FROM information_schema.TABLES ' +
            "WHERE TABLE_SCHEMA = ? AND TABLE_NAME NOT IN ('vault', 'vault_meta') ORDER BY TABLE_NAME",
          [db.database],
        );
  return rows.map((row) => ({ name: String(row.name), comment: String(row.comment ?? '') }));
}

describe.each(SERVER_KINDS)('faults on %s that a resume finishes', (kind: ServerKind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let dir: TempDir;

  beforeAll(async () => {
    if (!unavailable) db = await testDatabase(kind);
  });
  afterAll(async () => {
    await db?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir(`vsa-server-faults-${kind}-`);
    if (!unavailable) await loadFixture(db);
  });
  afterEach(() => dir?.dispose());

  it.skipIf(unavailable)(
    'a complete backup table a stopped run did not record is kept by the resume, never refused',
    async () => {
      const original = await rowsOf(db, 'vault');
      const controller = new AbortController();
      const first = await rotateVault(
        options(db, dir.path, {
          backupTable: 'bk',
          batchSize: 8,
          progressIntervalMs: 0,
          signal: controller.signal,
          onProgress: (progress) => {
            if (progress.rotated > 0) controller.abort();
          },
        }),
      );
      expect(first.status).toBe('cancelled');
      // As if the run had died between the backup and the checkpoint that records it.
      const path = checkpointOf(db.url, dir.path);
      const checkpoint = readCheckpoint(path)!;
      expect(checkpoint.backupPath).toBe('table:bk');
      writeCheckpoint(path, { ...checkpoint, backupPath: null });

      const resumed = await rotateVault(options(db, dir.path, { backupTable: 'bk', resume: true }));
      expect(resumed).toMatchObject({ status: 'completed', backupPath: 'table:bk' });
      expect(resumed.rotated).toBe(expected.rotated);
      expect(await rowsOf(db, 'bk')).toEqual(original);
      await expectVaultRotated(db, dir.path);

      // Another rotation (a new canary) never takes that table for its own backup.
      await loadFixture(db);
      const owner = await db.connect();
      try {
        await owner.query('CREATE TABLE bk AS SELECT * FROM vault');
      } finally {
        await owner.close();
      }
      const refused = await failure(rotateVault(options(db, dir.path, { backupTable: 'bk' })));
      expect(refused?.code, refused?.message).toBe('USAGE');
      expect(refused?.message).toMatch(/already exists/);
    },
    120_000,
  );

  it.skipIf(unavailable)(
    'a network that goes silent mid-run: a clear error within the server timeout, then --resume completes',
    async () => {
      await withStallProxy(db, async (proxy, url) => {
        const viaProxy = (extra: Partial<RotationOptions> = {}) =>
          options(db, dir.path, { vaultPath: url, serverTimeoutMs: 1500, ...extra });
        const error = await failure(
          rotateVault(
            viaProxy({
              batchSize: 8,
              commitIntervalMs: 10,
              progressIntervalMs: 0,
              onProgress: (progress) => {
                if (progress.rotated >= 24) proxy.stall();
              },
            }),
          ),
        );
        expect(proxy.stalled).toBe(true);
        expect(error?.code, error?.message).toBe('CONNECTION_LOST');
        expect(error?.message).toMatch(/did not answer for 1\.5 s \(the server timeout\)/);
        expect(error?.message).toMatch(/--resume/);
        expect(error?.message).not.toContain(db.password);
        // The network comes back: the server sees the stalled sessions end (and their lock go).
        proxy.heal();
        await toolSessionsGone(db);

        const resumed = await rotateVault(viaProxy({ resume: true }));
        expect(resumed).toMatchObject({ status: 'completed', resumed: true, failed: 0 });
        // The summary counts the whole rotation, not only this run.
        expect(resumed.rotated).toBe(expected.rotated);
        await expectVaultRotated(db, dir.path);
      });
    },
    120_000,
  );

  it.skipIf(unavailable)(
    'silent while the sweep re-reads the table: the redo from the start counts the whole rotation',
    async () => {
      await withStallProxy(db, async (proxy, url) => {
        const viaProxy = (extra: Partial<RotationOptions> = {}) =>
          options(db, dir.path, { vaultPath: url, serverTimeoutMs: 1500, backup: false, ...extra });
        // The sweep starts right after the checkpoint says a resume must redo from the start.
        const checkpointFile = checkpointOf(url, dir.path);
        proxy.stallWhen(() => {
          try {
            return JSON.parse(readFileSync(checkpointFile, 'utf8')).redoFromStart === true;
          } catch {
            return false;
          }
        });
        const error = await failure(rotateVault(viaProxy()));
        expect(error?.code, error?.message).toBe('CONNECTION_LOST');
        proxy.heal();
        await toolSessionsGone(db);

        const resumed = await rotateVault(viaProxy({ resume: true }));
        expect(resumed.status).toBe('completed');
        expect(resumed.notes).toContainEqual(expect.stringMatching(/re-examined every record/));
        // Before: rotated 0 (every record had been rotated by the first run, so the redo skipped it).
        expect(resumed).toMatchObject({
          scanned: expected.scanned,
          rotated: expected.rotated,
          skipped: expected.skipped,
        });
        await expectVaultRotated(db, dir.path);
      });
    },
    120_000,
  );

  it.skipIf(unavailable)(
    'a resume of a rotation that completed (its exit not seen) says so: completed, exit class ok',
    async () => {
      expect(await rotateVault(options(db, dir.path, { backup: false }))).toMatchObject({
        status: 'completed',
        rotated: expected.rotated,
      });
      const again = await rotateVault(options(db, dir.path, { backup: false, resume: true }));
      expect(again.status).toBe('completed');
      expect(again.notes).toContainEqual(expect.stringMatching(/^Already completed/));
      expect(interpretResult(again)).toMatchObject({ kind: 'already-rotated', exitClass: 'ok' });
      await expectVaultRotated(db, dir.path);
    },
    120_000,
  );

  it.skipIf(unavailable)(
    'leaves no table that looks like a backup, and the resume rebuilds it complete',
    async () => {
      const original = await rowsOf(db, 'vault');
      const blocker = await db.connect();
      for (const statement of COPY_HOLD[kind].hold) await blocker.query(statement);
      let killed: number | null = null;
      const run = failure(
        rotateVault(options(db, dir.path, { backupTable: 'bk', busyTimeoutMs: 120_000 })),
      );
      try {
        // The copy is running (waiting where the blocker holds it) until its connection is killed.
        while (killed === null) {
          const copying = await db.admin.query<{ id: number }>(COPY_HOLD[kind].waiting, [db.user]);
          if (copying[0]) {
            killed = Number(copying[0].id);
            await db.killConnection(killed);
          } else {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      } finally {
        await blocker.query('ROLLBACK');
        await blocker.close();
      }
      const error = await run;
      expect(error?.code, error?.message).toBe('CONNECTION_LOST');
      // Before (MariaDB): an empty table "bk", and every resume refused with "already exists".
      const left = await otherTables(db);
      expect(left.map((table) => table.name)).not.toContain('bk');
      for (const table of left) expect(table.comment).toMatch(/UNFINISHED.*not a backup/);

      const resumed = await rotateVault(options(db, dir.path, { backupTable: 'bk', resume: true }));
      expect(resumed).toMatchObject({ status: 'completed', backupPath: 'table:bk', failed: 0 });
      expect(await rowsOf(db, 'bk')).toEqual(original);
      expect(await otherTables(db)).toEqual([
        {
          name: 'bk',
          comment: expect.stringMatching(/^vaultstore-admin backup taken before rotation/),
        },
      ]);
      await expectVaultRotated(db, dir.path);
    },
    120_000,
  );
});

/**
 * Where a rotation of `url`'s table vault keeps its checkpoint (as rotation-plan.ts names it:
 * PostgreSQL tables by their schema-qualified name).
 */
function checkpointOf(url: string, dir: string): string {
  const table = url.startsWith('postgres') ? 'public.vault' : 'vault';
  return checkpointPathFor(rotationStateBase(url, table, join(dir, 'state')).base);
}

describe.each(SERVER_KINDS)('%s: session timeouts set for the login', (kind: ServerKind) => {
  const unavailable = serverUnavailable(kind);
  let server: ManagedServer | null = null;
  let db: TestDatabase;
  let dir: TempDir;
  beforeAll(async () => {
    if (unavailable) return;
    // MariaDB's are global settings: a server of this test's own.
    if (kind === 'mysql') server = await startPrivateServer('mysql');
    db = await testDatabase(kind, server ? { server } : {});
  });
  afterAll(async () => {
    await db?.dispose();
    await server?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir(`vsa-server-timeouts-${kind}-`);
    if (!unavailable) await loadFixture(db);
  });
  afterEach(() => dir?.dispose());

  it.skipIf(unavailable)(
    "do not end the tool's sessions: the backup snapshot and the rotation complete",
    async () => {
      if (kind === 'postgres') {
        // Before: the backup's snapshot, idle in its transaction while the file is written, was
        // ended ("the server restarted"), and so was every resume.
        await db.admin.query(
          `ALTER ROLE ${db.user} SET idle_in_transaction_session_timeout = '1ms'`,
        );
      } else {
        await db.admin.query(
          'SET GLOBAL idle_transaction_timeout = 1, idle_readonly_transaction_timeout = 1, ' +
            'idle_write_transaction_timeout = 1, max_statement_time = 1',
        );
        // The tool's own session: every limit lifted, whatever the server's defaults.
        const session = await MysqlSession.open(
          mysqlConnectionOptions(parseServerTarget(db.url), bytes(db.password)),
          { display: db.url, readOnly: true, busyTimeoutMs: 5000, serverTimeoutMs: 60_000 },
        );
        try {
          const [row] = await session.query(
            'SELECT @@SESSION.idle_transaction_timeout AS t, @@SESSION.idle_readonly_transaction_timeout AS r, ' +
              '@@SESSION.idle_write_transaction_timeout AS w, @@SESSION.max_statement_time AS s, ' +
              '@@SESSION.wait_timeout AS wait',
            [],
            'reading',
          );
          // (numbers come as text: the store asks for big numbers as strings)
          const values = Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
          expect(values).toEqual({ t: 0, r: 0, w: 0, s: 0, wait: 31_536_000 });
        } finally {
          await session.close();
        }
      }
      const result = await rotateVault(options(db, dir.path));
      expect(result).toMatchObject({ status: 'completed', rotated: expected.rotated });
      expect(result.backupPath).not.toBeNull();
      await expectVaultRotated(db, dir.path);
    },
    120_000,
  );
});
