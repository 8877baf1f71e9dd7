/**
 * The PostgreSQL VaultStore against a real server (test/support/servers):
 * tables found whatever their datetime types, counts, keyset paging in the
 * id column's ICU collation (which differs from byte order), sampling, the
 * guarded batch, read-only sessions, triggers, the rotation lock, the
 * snapshot backup, and every error with its code and without the password.
 */
import Database from 'better-sqlite3';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyStoredValue, openVault } from '../../../../src/engine/storage/index.js';
import type { VaultRecord, VaultStore } from '../../../../src/engine/storage/index.js';
import { parseServerTarget } from '../../../../src/engine/storage/server/server-target.js';
import { tlsOptionsFor } from '../../../../src/engine/storage/postgres/client-config.js';
import { pgpassLookup } from '../../../../src/engine/storage/postgres/pgpass.js';
import { postgresVaultTableSql } from '../../../../bench/vaultstore-ddl.js';
import { collect } from '../../../support/collect.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import {
  randomName,
  serverUnavailable,
  startPrivateServer,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../../../support/servers/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const NOW = new Date('2030-06-01T12:00:00Z');
const NOW_TEXT = '2030-06-01 12:00:00';

/** Ids whose ICU order differs from byte order: case, accents, digits, spaces. */
const IDS = ['a', 'B', 'b', 'A', 'é', 'e', 'f', 'Z', 'z', '10', '9', 'a b', 'ab', 'É', 'ß', 'ss'];

/** value kinds: v2, v1 (incl. CR/LF, '='), other (spaces, '+', empty-ish) */
function valueFor(index: number): string {
  switch (index % 5) {
    case 0:
      return `v2:payload-${index}`;
    case 1:
      return `QUJDREVG${index}_-==`;
    case 2:
      return `QUJD\r\nREVG${index}`;
    case 3:
      return `not v1 + ${index}`;
    default:
      return `V2:upper-${index}`;
  }
}

/** soft-deleted at exactly "now", in the past, or far in the future (the library's "never") */
function softDeletedAt(index: number): string {
  return [NOW_TEXT, '2001-01-01 00:00:00', '9999-12-31 23:59:59'][index % 3]!;
}
function expiresAt(index: number): string {
  return index % 4 === 0 ? '2020-01-01 00:00:00' : '2099-01-01 00:00:00';
}

type DateKind = 'timestamptz' | 'timestamp' | 'text';
const KINDS: readonly DateKind[] = ['timestamptz', 'timestamp', 'text'];
const tableOf = (kind: DateKind): string => `vault_${kind}`;

async function createVaultTable(session: SqlSession, table: string, kind: DateKind): Promise<void> {
  await session.query(postgresVaultTableSql(table, kind));
  // ICU collation: 'a' < 'B' and accents sort beside their letters, unlike byte order.
  await session.query(`ALTER TABLE ${table} ALTER COLUMN id TYPE varchar(40) COLLATE "und-x-icu"`);
  const utc = kind === 'timestamptz' ? '+00' : '';
  for (const [index, id] of IDS.entries()) {
    await session.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $4, $5, $6)`, [
      id,
      `tok-${index}`,
      valueFor(index),
      '2024-01-01 00:00:00' + utc,
      expiresAt(index) + utc,
      softDeletedAt(index) + utc,
    ]);
  }
}

function expectNoPassword(error: unknown, password: string): void {
  const text = `${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`;
  expect(text).not.toContain(password);
}

async function failure(promise: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error('expected a failure');
}

describe('PostgreSQL option mapping (no server)', () => {
  it('maps sslmode and sslrootcert to node-postgres TLS options', () => {
    const ca = Buffer.from('CA');
    const readCa = (path: string): Buffer => {
      if (path !== '/ca.pem') throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return ca;
    };
    const t = (query: string) => parseServerTarget(`postgres://u@h:5432/db${query}`);
    // another host without sslmode: verified by default; this machine: plain unless asked
    expect(tlsOptionsFor(t(''), readCa)).toEqual({ rejectUnauthorized: true });
    expect(tlsOptionsFor(parseServerTarget('postgres://u@localhost/db'), readCa)).toBe(false);
    expect(tlsOptionsFor(t('?sslmode=disable'), readCa)).toBe(false);
    expect(tlsOptionsFor(t('?sslmode=require'), readCa)).toEqual({ rejectUnauthorized: false });
    expect(tlsOptionsFor(t('?sslmode=verify-full'), readCa)).toEqual({ rejectUnauthorized: true });
    expect(tlsOptionsFor(t('?sslmode=verify-full&sslrootcert=/ca.pem'), readCa)).toEqual({
      rejectUnauthorized: true,
      ca,
    });
    const verifyCa = tlsOptionsFor(t('?sslmode=verify-ca&sslrootcert=/ca.pem'), readCa);
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true, ca });
    // verify-ca checks the chain but not the host name
    expect(verifyCa && verifyCa.checkServerIdentity?.('other-host', {} as never)).toBeUndefined();
    expect(() => tlsOptionsFor(t('?sslrootcert=/missing.pem'), readCa)).toThrow(
      /CA certificate file \/missing\.pem.*cannot be read \(ENOENT\)/,
    );
  });

  it('reads ~/.pgpass lines as libpq does (wildcards, escapes, first match)', () => {
    const login = { host: '127.0.0.1', port: 5432, database: 'db', user: 'u' };
    const file = [
      '# comment',
      'otherhost:*:*:*:wrong',
      'localhost:5432:db:u:not-this-host',
      '127.0.0.1:5432:db:u:pa\\:ss\\\\word',
      '*:*:*:*:fallback',
    ].join('\n');
    expect(pgpassLookup(file, login)).toBe('pa:ss\\word');
    expect(pgpassLookup(file, { ...login, port: 6543 })).toBe('fallback');
    expect(pgpassLookup('h:1:db:u:x', login)).toBeUndefined();
  });
});

describe.skipIf(serverUnavailable('postgres'))('PostgreSQL VaultStore', () => {
  let db: TestDatabase;
  let owner: SqlSession;
  let store: VaultStore;
  let dir: TempDir;
  const open = (options: { readOnly?: boolean; busyTimeoutMs?: number; url?: string } = {}) =>
    openVault(options.url ?? db.url, {
      serverPassword: bytes(db.password),
      readOnly: options.readOnly ?? false,
      busyTimeoutMs: options.busyTimeoutMs ?? 2000,
    });

  beforeAll(async () => {
    dir = makeTempDir('vsa-pg-');
    db = await testDatabase('postgres');
    // Sessions default to +05:30 here: the store must set its own session to UTC.
    await db.admin.query(`ALTER DATABASE ${db.database} SET timezone = 'Asia/Kolkata'`);
    owner = await db.connect();
    for (const kind of KINDS) await createVaultTable(owner, tableOf(kind), kind);
    await owner.query('CREATE TABLE not_a_vault (id text PRIMARY KEY, vault_value text)');
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
    await owner?.close();
    await db?.dispose();
    dir?.dispose();
  });

  it('finds every vault table whatever its datetime type, and counts like the SQLite store', async () => {
    // named with their schema
    const qualified = (kind: (typeof KINDS)[number]) => `public.${tableOf(kind)}`;
    expect((await store.vaultTables()).sort()).toEqual(KINDS.map(qualified).sort());
    const info = await store.info(NOW);
    expect(info.driver).toBe('postgres');
    expect(info.path).toBe(db.url);
    expect(info.fileSizeBytes).toBeGreaterThan(0);
    const kinds = IDS.map((_, i) => classifyStoredValue(valueFor(i)));
    const expected = {
      records: IDS.length,
      softDeleted: IDS.filter((_, i) => softDeletedAt(i) <= NOW_TEXT).length,
      expired: IDS.filter((_, i) => expiresAt(i) <= NOW_TEXT).length,
      v2: kinds.filter((k) => k === 'v2').length,
      v1: kinds.filter((k) => k === 'v1').length,
      other: kinds.filter((k) => k === 'other').length,
    };
    // the fixture exercises every category
    expect(Object.values(expected).every((n) => n > 0)).toBe(true);
    for (const kind of KINDS) {
      expect(info.tables.find((t) => t.name === qualified(kind))).toEqual({
        name: qualified(kind),
        ...expected,
      });
    }
  });

  it('pages in the id collation (not byte order), each record once, whatever the page size', async () => {
    const collated = (
      await owner.query<{ id: string }>(`SELECT id FROM vault_timestamptz ORDER BY id`)
    ).map((row) => row.id);
    const byteOrder = [...IDS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    // the test means something only if the orders differ
    expect(collated).not.toEqual(byteOrder);
    expect(collated.indexOf('a')).toBeLessThan(collated.indexOf('B'));
    for (const kind of KINDS) {
      for (const pageSize of [1, 3, 7, 100]) {
        const seen = await collect(store.streamRecords(tableOf(kind), { pageSize, now: NOW }));
        expect(seen.map((r) => r.key)).toEqual(collated);
      }
      const first = await store.readRecords(tableOf(kind), { limit: 4, now: NOW });
      const next = await store.readRecords(tableOf(kind), {
        limit: 100,
        afterKey: first.at(-1)!.key,
        now: NOW,
      });
      expect([...first, ...next].map((r) => r.id)).toEqual(collated);
    }
    expect(await store.keyKind('vault_text')).toBe('id');
    await expect(store.assertPageable('vault_text')).resolves.toBeUndefined();
  });

  it('reads values byte-exact, and soft-deleted at "now" for every datetime type', async () => {
    for (const kind of KINDS) {
      const records = await collect(store.streamRecords(tableOf(kind), { now: NOW }));
      const byId = new Map(records.map((r) => [r.id, r]));
      for (const [index, id] of IDS.entries()) {
        expect(byId.get(id)).toEqual<VaultRecord>({
          key: id,
          id,
          value: valueFor(index),
          softDeleted: softDeletedAt(index) <= NOW_TEXT,
        });
      }
      const live = IDS.filter((_, i) => softDeletedAt(i) > NOW_TEXT);
      expect(await store.countRecords(tableOf(kind), { includeSoftDeleted: false, now: NOW })).toBe(
        live.length,
      );
      const liveRecords = await collect(
        store.streamRecords(tableOf(kind), { includeSoftDeleted: false, now: NOW, pageSize: 2 }),
      );
      expect(liveRecords.map((r) => r.id).sort()).toEqual([...live].sort());
      // a second later, the record soft-deleted "at now" is still soft-deleted; a second before, not yet
      const before = new Date(NOW.getTime() - 1000);
      expect(await store.readRecord(tableOf(kind), 'a', { now: before })).toMatchObject({
        softDeleted: false,
      });
      expect(await store.readRecord(tableOf(kind), 'a', { now: NOW })).toMatchObject({
        softDeleted: true,
      });
      expect(
        await store.readRecord(tableOf(kind), 'a', { now: NOW, includeSoftDeleted: false }),
      ).toBeNull();
      expect(await store.readRecord(tableOf(kind), 'no such id')).toBeNull();
    }
  });

  it('bounds a page by bytes (at least one record)', async () => {
    const all = await store.readRecords('vault_text', { limit: 100, now: NOW });
    const firstTwo = Buffer.byteLength(all[0]!.value) + Buffer.byteLength(all[1]!.value);
    const page = await store.readRecords('vault_text', {
      limit: 100,
      maxBytes: firstTwo,
      now: NOW,
    });
    expect(page.map((r) => r.key)).toEqual(all.slice(0, 2).map((r) => r.key));
    const tiny = await store.readRecords('vault_text', { limit: 100, maxBytes: 1, now: NOW });
    expect(tiny).toHaveLength(1);
  });

  it('samples at random, filtered by value kind as info() counts', async () => {
    for (const kind of ['v2', 'v1'] as const) {
      const sample = await store.sampleRecords('vault_timestamp', 100, {
        valueKind: kind,
        now: NOW,
      });
      const expected = IDS.filter((_, i) => classifyStoredValue(valueFor(i)) === kind);
      expect(sample.map((r) => r.id).sort()).toEqual([...expected].sort());
    }
    expect(await store.sampleRecords('vault_timestamp', 3)).toHaveLength(3);
    expect(await store.sampleRecords('vault_timestamp', 0)).toEqual([]);
    const live = await store.sampleRecords('vault_timestamp', 100, {
      includeSoftDeleted: false,
      now: NOW,
    });
    expect(live.every((r) => !r.softDeleted)).toBe(true);
  });

  it('writes a batch in one guarded statement: changed values fail their guard, updated_at in the column form', async () => {
    for (const kind of KINDS) {
      const table = tableOf(kind);
      const [a, b, c] = (await store.readRecords(table, { limit: 3, now: NOW })) as [
        VaultRecord,
        VaultRecord,
        VaultRecord,
      ];
      // another session changes b after we read it
      await owner.query(`UPDATE ${table} SET vault_value = 'changed elsewhere' WHERE id = $1`, [
        b.id,
      ]);
      const result = await store.writeBatch(
        table,
        [
          { key: a.key, expectedValue: a.value, newValue: `v2:new-${a.id}` },
          { key: b.key, expectedValue: b.value, newValue: `v2:new-${b.id}` },
          // the guard compares exactly: a value differing only in case does not match
          { key: c.key, expectedValue: c.value.toUpperCase() + 'x', newValue: 'v2:never' },
          { key: 'gone', expectedValue: 'x', newValue: 'v2:never' },
        ],
        '2031-02-03 04:05:06',
      );
      expect(result.written).toEqual([a.key]);
      expect(result.guardFailed).toEqual([b.key, c.key, 'gone']);
      const shown =
        kind === 'timestamptz'
          ? `to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`
          : `updated_at::text`;
      const rows = await owner.query<{ id: string; value: string; updated: string }>(
        `SELECT id, vault_value AS value, ${shown} AS updated FROM ${table} WHERE id = ANY($1) ORDER BY id`,
        [[a.id, b.id, c.id]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(a.id)).toEqual({
        id: a.id,
        value: `v2:new-${a.id}`,
        updated: '2031-02-03 04:05:06',
      });
      expect(byId.get(b.id)?.value).toBe('changed elsewhere');
      expect(byId.get(c.id)?.value).toBe(c.value);
      expect(byId.get(c.id)?.updated).not.toBe('2031-02-03 04:05:06');
    }
  });

  it('compares values byte for byte even in a case-insensitive column; refuses case-insensitive ids', async () => {
    await owner.query(
      `CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
    );
    await createVaultTable(owner, 'vault_ci', 'text');
    const fresh = await open();
    try {
      await owner.query('ALTER TABLE vault_ci ALTER COLUMN vault_value TYPE text COLLATE ci');
      const [record] = await fresh.readRecords('vault_ci', { limit: 1 });
      // the column's own collation calls these equal; the guard must not
      expect(
        await owner.query(`SELECT 1 FROM vault_ci WHERE id = $1 AND vault_value = upper($2)`, [
          record!.id,
          record!.value,
        ]),
      ).toHaveLength(1);
      const result = await fresh.writeBatch(
        'vault_ci',
        [{ key: record!.key, expectedValue: record!.value.toUpperCase(), newValue: 'v2:never' }],
        '2031-01-01 00:00:00',
      );
      expect(result).toEqual({ written: [], guardFailed: [record!.key] });
      // ids that differ only in case would compare equal: keep one, then make id case-insensitive
      await owner.query('DELETE FROM vault_ci WHERE id <> $1', [record!.id]);
      await owner.query('ALTER TABLE vault_ci ALTER COLUMN id TYPE varchar(40) COLLATE ci');
      const error = await failure(fresh.assertPageable('vault_ci'));
      expect(error).toMatchObject({
        code: 'UNSUPPORTED_IDS',
        message: expect.stringMatching(/nondeterministic/),
      });
    } finally {
      await fresh.close();
      await owner.query('DROP TABLE vault_ci');
    }
  });

  it('waits for a row lock at most busyTimeoutMs, then LOCKED with nothing written', async () => {
    const quick = await open({ busyTimeoutMs: 200 });
    const other = await db.connect();
    try {
      const [record] = await quick.readRecords('vault_text', { limit: 1 });
      await other.query('BEGIN');
      await other.query(`UPDATE vault_text SET vault_token = vault_token WHERE id = $1`, [
        record!.id,
      ]);
      const started = Date.now();
      const error = await failure(
        quick.writeBatch(
          'vault_text',
          [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:blocked' }],
          '2031-01-01 00:00:00',
        ),
      );
      expect(error.code).toBe('LOCKED');
      expect(Date.now() - started).toBeLessThan(5000);
      await other.query('ROLLBACK');
      expect(await quick.readRecord('vault_text', record!.key)).toMatchObject({
        value: record!.value,
      });
    } finally {
      await other.close();
      await quick.close();
    }
  });

  it('read-only: a read-only session, and writeBatch refuses with READ_ONLY', async () => {
    const reader = await open({ readOnly: true });
    try {
      expect(reader.readOnly).toBe(true);
      const [record] = await reader.readRecords('vault_text', { limit: 1 });
      const error = await failure(
        reader.writeBatch(
          'vault_text',
          [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:x' }],
          '2031-01-01 00:00:00',
        ),
      );
      expect(error.code).toBe('READ_ONLY');
      const sessions = await db.admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'vaultstore-admin' AND usename = $1`,
        [db.user],
      );
      expect(Number(sessions[0]!.n)).toBeGreaterThanOrEqual(2);
    } finally {
      await reader.close();
    }
  });

  it('lists the user triggers of a table', async () => {
    await owner.query(
      `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    );
    await owner.query(
      'CREATE TRIGGER vault_touch BEFORE UPDATE ON vault_timestamp FOR EACH ROW EXECUTE FUNCTION touch()',
    );
    expect(await store.triggersOn('vault_timestamp')).toEqual(['vault_touch']);
    expect(await store.triggersOn('vault_text')).toEqual([]);
    await owner.query('DROP TRIGGER vault_touch ON vault_timestamp');
  });

  it('one rotation lock per table on the server: a second session gets ROTATION_IN_PROGRESS with the holder', async () => {
    const second = await open();
    try {
      const release = await store.lockForRotation!('vault_text');
      const error = await failure(second.lockForRotation!('vault_text'));
      expect(error.code).toBe('ROTATION_IN_PROGRESS');
      expect(error.message).toMatch(/server process \d+/);
      expect(error.message).toContain('vaultstore-admin');
      // another table is not locked
      const otherRelease = await second.lockForRotation!('vault_timestamp');
      await otherRelease();
      await release();
      const again = await second.lockForRotation!('vault_text');
      await again();
    } finally {
      await second.close();
    }
  });

  it('backs up one snapshot of the table into a SQLite file that openVault reads', async () => {
    const release = await store.lockForRotation!('vault_timestamptz');
    const dest = join(dir.path, 'backup.sqlite');
    try {
      await store.backupTo(dest);
    } finally {
      await release();
    }
    const backup = await openVault(dest, { readOnly: true });
    try {
      expect(await backup.vaultTables()).toEqual(['vault_timestamptz']);
      const original = await collect(store.streamRecords('vault_timestamptz', { now: NOW }));
      const copied = await collect(backup.streamRecords('vault_timestamptz', { now: NOW }));
      const sort = (records: VaultRecord[]) =>
        records
          .map(({ id, value, softDeleted }) => ({ id, value, softDeleted }))
          .sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(sort(copied)).toEqual(sort(original));
    } finally {
      await backup.close();
    }
    const sqlite = new Database(dest, { readonly: true });
    try {
      const row = sqlite.prepare('SELECT * FROM vault_timestamptz WHERE id = ?').get('a') as Record<
        string,
        string
      >;
      expect(row).toMatchObject({
        created_at: '2024-01-01 00:00:00',
        expires_at: expiresAt(0),
        soft_deleted_at: NOW_TEXT,
      });
    } finally {
      sqlite.close();
    }
    // never replaces a file; and with several vault tables and none being rotated, asks which one
    const again = await store.lockForRotation!('vault_timestamptz');
    try {
      const taken = await failure(store.backupTo(dest));
      expect(taken).toMatchObject({ code: 'USAGE', message: expect.stringMatching(/already/) });
    } finally {
      await again();
    }
    const which = await failure(store.backupTo(join(dir.path, 'other.sqlite')));
    expect(which).toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/3 vault tables/),
    });
  });

  describe('errors say what happened, with codes, never the password', () => {
    it('wrong password: SERVER_AUTH', async () => {
      const wrong = 'Wrong-Secret-Password-123';
      const error = await failure(openVault(db.url, { serverPassword: bytes(wrong) }));
      expect(error.code).toBe('SERVER_AUTH');
      expect(error.message).toContain(db.url);
      expectNoPassword(error, wrong);
      expectNoPassword(error, db.password);
    });

    it('no password anywhere: SERVER_AUTH saying how to give one', async () => {
      const saved = { file: process.env.PGPASSFILE, pw: process.env.PGPASSWORD };
      process.env.PGPASSFILE = join(dir.path, 'no-such-pgpass');
      delete process.env.PGPASSWORD;
      try {
        const error = await failure(openVault(db.url));
        expect(error.code).toBe('SERVER_AUTH');
        expect(error.message).toMatch(/password/);
      } finally {
        restoreEnv('PGPASSFILE', saved.file);
        restoreEnv('PGPASSWORD', saved.pw);
      }
    });

    it('password from the password file (PGPASSFILE, 0600) when none is given', async () => {
      const file = join(dir.path, 'pgpass');
      writeFileSync(file, `*:${db.port}:${db.database}:${db.user}:${db.password}\n`);
      chmodSync(file, 0o600);
      const saved = { file: process.env.PGPASSFILE, pw: process.env.PGPASSWORD };
      process.env.PGPASSFILE = file;
      delete process.env.PGPASSWORD;
      try {
        const viaFile = await openVault(db.url);
        expect(await viaFile.vaultTables()).toHaveLength(3);
        await viaFile.close();
        // a file others may read is ignored, as libpq does
        chmodSync(file, 0o644);
        expect((await failure(openVault(db.url))).code).toBe('SERVER_AUTH');
      } finally {
        restoreEnv('PGPASSFILE', saved.file);
        restoreEnv('PGPASSWORD', saved.pw);
      }
    });

    it('missing database: DATABASE_NOT_FOUND; nothing listening: SERVER_UNREACHABLE', async () => {
      const missing = db.url.replace(db.database, 'vsa_no_such_db');
      const error = await failure(openVault(missing, { serverPassword: bytes(db.password) }));
      expect(error.code).toBe('DATABASE_NOT_FOUND');
      expectNoPassword(error, db.password);
      const closedPort = `postgres://${db.user}@127.0.0.1:1/${db.database}`;
      const unreachable = await failure(
        openVault(closedPort, { serverPassword: bytes(db.password) }),
      );
      expect(unreachable.code).toBe('SERVER_UNREACHABLE');
      expect(unreachable.message).toContain(closedPort);
    });

    it('missing table, missing columns, no vault table, id not the primary key', async () => {
      expect((await failure(store.assertVaultTable('nope'))).code).toBe('TABLE_NOT_FOUND');
      expect((await failure(store.countRecords('not_a_vault'))).code).toBe('MISSING_COLUMNS');
      await owner.query(postgresVaultTableSql('no_pk', 'text'));
      await owner.query('ALTER TABLE no_pk DROP CONSTRAINT no_pk_pkey');
      const error = await failure(store.assertPageable('no_pk'));
      expect(error.code).toBe('UNSUPPORTED_IDS');
      expect(error.message).toMatch(/primary key/);
      await owner.query('DROP TABLE no_pk');
      const empty = randomName('vsa_empty');
      await db.admin.query(`CREATE DATABASE ${empty} OWNER ${db.user}`);
      try {
        const url = db.url.replace(db.database, empty);
        const none = await failure(openVault(url, { serverPassword: bytes(db.password) }));
        expect(none.code).toBe('NO_VAULT_TABLE');
      } finally {
        await db.admin.query(`DROP DATABASE ${empty} WITH (FORCE)`);
      }
    });

    it('SELECT-only login: SERVER_PERMISSION at the first write, the table unchanged', async () => {
      const login = await db.readOnlyUser();
      const url = db.url.replace(`${db.user}@`, `${login.user}@`);
      const reader = await openVault(url, { serverPassword: bytes(login.password) });
      try {
        const before = await owner.query(`SELECT * FROM vault_text ORDER BY id`);
        const page = await reader.readRecords('vault_text', { limit: 5 });
        const error = await failure(
          reader.writeBatch(
            'vault_text',
            page.map((r) => ({ key: r.key, expectedValue: r.value, newValue: 'v2:x' })),
            '2031-01-01 00:00:00',
          ),
        );
        expect(error.code).toBe('SERVER_PERMISSION');
        expectNoPassword(error, login.password);
        expect(await owner.query(`SELECT * FROM vault_text ORDER BY id`)).toEqual(before);
      } finally {
        await reader.close();
      }
    });

    it('a killed connection: CONNECTION_LOST at the next call, the process unharmed', async () => {
      const victim = await open();
      try {
        await victim.countRecords('vault_text');
        await db.admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE application_name = 'vaultstore-admin' AND usename = $1 AND pid <> pg_backend_pid()`,
          [db.user],
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        const error = await failure(victim.countRecords('vault_text'));
        expect(error.code).toBe('CONNECTION_LOST');
        expect(error.message).toMatch(/--resume/);
      } finally {
        await victim.close();
      }
      // the shared store was killed too: reopen it for the tests after this one
      await store.close();
      store = await open();
    });
  });
});

describe.skipIf(serverUnavailable('postgres'))('PostgreSQL VaultStore and a server restart', () => {
  it('a restart mid-session: CONNECTION_LOST; the server down: SERVER_UNREACHABLE', async () => {
    const server = await startPrivateServer('postgres');
    let db: TestDatabase | null = null;
    let store: VaultStore | null = null;
    try {
      db = await testDatabase('postgres', { server });
      const owner = await db.connect();
      await createVaultTable(owner, 'vault', 'timestamptz');
      await owner.close();
      store = await openVault(db.url, { serverPassword: bytes(db.password) });
      expect(await store.countRecords('vault')).toBe(IDS.length);
      await server.restart();
      const lost = await failure(store.countRecords('vault'));
      expect(lost.code).toBe('CONNECTION_LOST');
      await store.close();
      store = null;
      await server.stop();
      const down = await failure(openVault(db.url, { serverPassword: bytes(db.password) }));
      expect(down.code).toBe('SERVER_UNREACHABLE');
      expectNoPassword(down, db.password);
    } finally {
      await store?.close();
      await server.dispose();
    }
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
