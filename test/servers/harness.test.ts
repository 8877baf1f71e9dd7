/**
 * The real-server harness itself: both servers start, logins and privileges
 * behave like on a real installation, faults (killed connection, restart)
 * can be made, and a fixture vault survives a trip to each server and back.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gormPostgresVaultTableSql } from '../../bench/vaultstore-ddl.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  copyVaultFromServer,
  copyVaultToServer,
  readServerVault,
  readSqliteVault,
} from '../support/server-vault-copy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  startPrivateServer,
  testDatabase,
  type TestDatabase,
} from '../support/servers/index.js';
import { expectVsrefVerifies } from '../support/vsref.js';

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind))(`${kind} test server`, () => {
    let db: TestDatabase;
    let temp: TempDir;
    beforeAll(async () => {
      db = await testDatabase(kind);
      temp = makeTempDir('vsa-server-harness-');
    });
    afterAll(async () => {
      await db?.dispose();
      temp?.dispose();
    });

    it('lets the owner in over TCP with its password and refuses a wrong one', async () => {
      const session = await db.connect();
      try {
        const rows = await session.query<{ who: string }>(
          kind === 'postgres' ? 'SELECT current_user AS who' : 'SELECT CURRENT_USER() AS who',
        );
        expect(String(rows[0]?.who)).toMatch(new RegExp(`^${db.user}(@%)?$`));
        // not a superuser: it cannot see the server's user table
        await expect(
          session.query(
            kind === 'postgres'
              ? 'SELECT rolpassword FROM pg_authid'
              : 'SELECT * FROM mysql.global_priv',
          ),
        ).rejects.toThrow(/denied/i);
      } finally {
        await session.close();
      }
      await expect(db.connect({ user: db.user, password: `${db.password}x` })).rejects.toThrow(
        kind === 'postgres' ? /password authentication failed/ : /Access denied/,
      );
      expect(db.url).not.toContain(db.password);
      expect(db.url).toBe(
        `${kind === 'postgres' ? 'postgres' : 'mysql'}://${db.user}@127.0.0.1:${db.port}/${db.database}`,
      );
    });

    it('gives a read-only login that may SELECT but not UPDATE', async () => {
      const owner = await db.connect();
      await owner.query('CREATE TABLE t (id int PRIMARY KEY, v varchar(10))');
      await owner.query("INSERT INTO t VALUES (1, 'a')");
      await owner.close();
      const reader = await db.connect(await db.readOnlyUser());
      try {
        expect(await reader.query('SELECT v FROM t')).toEqual([{ v: 'a' }]);
        await expect(reader.query("UPDATE t SET v = 'b'")).rejects.toThrow(
          /permission denied|command denied/i,
        );
      } finally {
        await reader.close();
      }
    });

    it('kills a connection from the server side', async () => {
      const session = await db.connect();
      try {
        const id = await session.connectionId();
        await db.killConnection(id);
        await expect(session.query('SELECT 1 AS one')).rejects.toThrow();
        // the superuser helper is unaffected, and the owner can come back
        const again = await db.connect();
        expect(await again.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        expect(await db.killConnectionsOf()).toBe(1);
        await expect(again.query('SELECT 1 AS one')).rejects.toThrow();
        await again.close();
      } finally {
        await session.close();
      }
    });

    it('copies a fixture vault to the server and back byte for byte', async () => {
      const fixture = copyFixture('tiny200', temp.path);
      const owner = await db.connect();
      try {
        expect(await copyVaultToServer(fixture, owner)).toBe(200);
        const original = readSqliteVault(fixture);
        expect(await readServerVault(owner)).toEqual(original);
        // the datetimes are instants in real datetime columns, not text
        const newest = await owner.query<{ n: number }>(
          kind === 'postgres'
            ? "SELECT count(*)::int AS n FROM vault WHERE expires_at = '9999-12-31 23:59:59+00'"
            : "SELECT count(*) AS n FROM vault WHERE expires_at = TIMESTAMP'9999-12-31 23:59:59'",
        );
        expect(Number(newest[0]?.n)).toBe(
          original.filter((r) => r.expires_at === '9999-12-31 23:59:59').length,
        );
        const back = join(temp.path, `${kind}-back.db`);
        expect(await copyVaultFromServer(owner, back)).toBe(200);
        expect(readSqliteVault(back)).toEqual(original);
        copyFileSync(`${fixture}.manifest.json`, `${back}.manifest.json`);
        // untouched records (-deep: opened with their fixture password) and meta table
        await expectVsrefVerifies(back, {
          config: 'tiny',
          expect: 'No-Such-Password-0000=>Other-Password-00000',
          softDeleted: 'unchanged',
          deep: true,
        });
      } finally {
        await owner.close();
      }
    });

    if (kind === 'postgres') {
      it("rejects GORM's own PostgreSQL DDL (longtext, datetime), as the library would meet it", async () => {
        const owner = await db.connect();
        try {
          await expect(owner.query(gormPostgresVaultTableSql('gorm_vault'))).rejects.toThrow(
            /type "longtext" does not exist/,
          );
        } finally {
          await owner.close();
        }
      });
    }
  });

  describe.skipIf(serverUnavailable(kind))(`${kind} private server`, () => {
    it('restarts on the same data folder and port, keeping the data', async () => {
      const server = await startPrivateServer(kind);
      try {
        const db = await testDatabase(kind, { server });
        const session = await db.connect();
        await session.query('CREATE TABLE kept (id int PRIMARY KEY)');
        await session.query('INSERT INTO kept VALUES (7)');
        const { port } = server.info;
        const pid = server.pid;
        await server.restart();
        expect(server.info.port).toBe(port);
        expect(server.pid).not.toBe(pid);
        await expect(session.query('SELECT 1 AS one')).rejects.toThrow();
        await session.close();
        const again = await db.connect();
        expect(await again.query('SELECT id FROM kept')).toEqual([{ id: 7 }]);
        await again.close();
        // stopped: connections are refused; started again: accepted
        await server.stop();
        await expect(db.connect()).rejects.toThrow(/ECONNREFUSED|connect/i);
        await server.start();
        await (await db.connect()).close();
        await db.dispose();
      } finally {
        await server.dispose();
      }
    });
  });
}
