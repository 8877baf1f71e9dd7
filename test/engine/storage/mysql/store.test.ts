/**
 * The MySQL/MariaDB VaultStore against a real MariaDB (test/support/servers):
 * tables found whatever their declared types, counts, keyset paging in the
 * id column's collation (case- and accent-insensitive, PAD SPACE), exact
 * value guards, sampling, read-only sessions, triggers, the rotation lock,
 * the snapshot backup, and errors with their codes and without the password.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlVaultTableSql } from '../../../../bench/vaultstore-ddl.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { VaultRecord, VaultStore } from '../../../../src/engine/storage/index.js';
import { makeTempDir } from '../../../support/fixtures.js';
import type { TempDir } from '../../../support/fixtures.js';
import {
  serverUnavailable,
  startPrivateServer,
  testDatabase,
} from '../../../support/servers/index.js';
import type { TestDatabase } from '../../../support/servers/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const PAST = '2020-01-01 00:00:00';
const FUTURE = '2999-01-01 00:00:00';
const NOW = new Date('2024-06-01T12:00:00Z');

/** Ids whose byte order differs from the collation's (case- and accent-insensitive). */
const TRICKY_IDS = ['a', 'B', 'é', 'z', 'Zz', '_u', 'Ä1', 'b2', '0', '10', '9'];

interface Row {
  id: string;
  value: string;
  softDeletedAt?: string;
  expiresAt?: string;
}

async function insert(db: TestDatabase, table: string, rows: readonly Row[]): Promise<void> {
  for (const row of rows) {
    await db.admin.query(
      `INSERT INTO \`${table}\` (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        row.id,
        `tok-${table}-${row.id}`,
        row.value,
        PAST,
        PAST,
        row.expiresAt ?? FUTURE,
        row.softDeletedAt ?? FUTURE,
      ],
    );
  }
}

async function expectCode(
  promise: Promise<unknown>,
  code: string,
  password?: string,
): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (e: unknown) => e as Error & { code?: string },
  );
  expect((error as { code?: string }).code, error.message).toBe(code);
  if (password !== undefined) expect(error.message).not.toContain(password);
  return error;
}

async function collect(records: AsyncIterable<VaultRecord>): Promise<VaultRecord[]> {
  const list: VaultRecord[] = [];
  for await (const record of records) list.push(record);
  return list;
}

describe.skipIf(serverUnavailable('mysql'))('MySQL/MariaDB VaultStore', () => {
  let db: TestDatabase;
  let store: VaultStore;
  let dir: TempDir;
  const open = (options: { readOnly?: boolean; busyTimeoutMs?: number } = {}) =>
    openVault(db.url, { serverPassword: bytes(db.password), ...options });

  beforeAll(async () => {
    db = await testDatabase('mysql');
    dir = makeTempDir();
    await db.admin.query(mysqlVaultTableSql('vault'));
    // The same columns with other declared types.
    await db.admin.query(
      'CREATE TABLE v_text (id varchar(64) NOT NULL PRIMARY KEY, vault_token text, vault_value text, ' +
        'created_at varchar(32), updated_at varchar(32), expires_at varchar(32), soft_deleted_at varchar(32))',
    );
    await db.admin.query(
      'CREATE TABLE v_dt3 (id varchar(40) NOT NULL PRIMARY KEY, vault_token varchar(40), vault_value mediumtext, ' +
        'created_at datetime(3), updated_at datetime(3), expires_at datetime(3), soft_deleted_at datetime(3))',
    );
    await db.admin.query(
      'CREATE TABLE v_ts (id varchar(40) NOT NULL PRIMARY KEY, vault_token varchar(40), vault_value longtext, ' +
        'created_at timestamp NULL, updated_at timestamp NULL, expires_at timestamp NULL, soft_deleted_at timestamp NULL)',
    );
    await db.admin.query(
      'CREATE TABLE v_nokey (id varchar(40) NOT NULL, vault_token varchar(40), vault_value longtext, ' +
        'created_at datetime, updated_at datetime, expires_at datetime, soft_deleted_at datetime)',
    );
    await db.admin.query('CREATE TABLE not_vault (id int PRIMARY KEY, vault_value text)');
    await db.admin.query('CREATE VIEW v_view AS SELECT * FROM vault');
    await insert(
      db,
      'vault',
      TRICKY_IDS.map((id, i) => ({
        id,
        value: i % 3 === 0 ? `v2:value-${i}` : `YWJj${i}`,
        softDeletedAt: i === 1 ? PAST : FUTURE,
        expiresAt: i === 2 ? PAST : FUTURE,
      })),
    );
    await insert(db, 'v_text', [
      { id: 'x1', value: 'v2:abc' },
      { id: 'x2', value: 'V2:abc' }, // not v2 (exactly "v2:"), not v1 (':')
      { id: 'x3', value: 'abc-_=\r\n' },
      { id: 'x4', value: 'has space' },
      { id: 'x5', value: '' },
      { id: 'x6', value: 'ABCé' },
      { id: 'x7', value: 'v2:soft', softDeletedAt: '2024-06-01 11:59:59' },
      { id: 'x8', value: 'v2:later', softDeletedAt: '2024-06-01 12:00:01' },
    ]);
    await insert(db, 'v_dt3', [
      { id: 'd1', value: 'v2:one', softDeletedAt: '2024-06-01 12:00:00' },
      { id: 'd2', value: 'v2:two' },
    ]);
    // TIMESTAMP ends in 2038
    await insert(db, 'v_ts', [
      {
        id: 't1',
        value: 'v2:one',
        softDeletedAt: '2024-06-01 11:00:00',
        expiresAt: '2037-01-01 00:00:00',
      },
    ]);
    await insert(db, 'v_nokey', [{ id: 'n1', value: 'v2:one' }]);
    store = await open();
  });

  afterAll(async () => {
    await store?.close();
    dir?.dispose();
    await db?.dispose();
  });

  it('finds the vault tables whatever their declared types (no views, no near misses)', async () => {
    expect((await store.vaultTables()).sort()).toEqual([
      'v_dt3',
      'v_nokey',
      'v_text',
      'v_ts',
      'vault',
    ]);
    expect(store.driver).toBe('mysql');
    expect(store.path).toBe(db.url);
    expect(await store.keyKind('vault')).toBe('id');
    expect(await store.dataVersion()).toBeNull();
    await expect(store.assertVaultTable('VAULT')).resolves.toBeUndefined();
  });

  it('counts records, soft-deleted, expired, v2, v1 and other exactly (not through the collation)', async () => {
    const info = await store.info(NOW);
    const text = info.tables.find((t) => t.name === 'v_text');
    // x1 x7 x8 v2; x3 x6? no: é is not base64url; x3 only v1
    expect(text).toEqual({
      name: 'v_text',
      records: 8,
      softDeleted: 1,
      expired: 0,
      v2: 3,
      v1: 1,
      other: 4,
    });
    const vault = info.tables.find((t) => t.name === 'vault');
    expect(vault).toMatchObject({
      records: TRICKY_IDS.length,
      softDeleted: 1,
      expired: 1,
      v2: 4,
      v1: 7,
    });
    expect(info.driver).toBe('mysql');
    expect(info.fileSizeBytes).toBeGreaterThan(0);
    const ts = info.tables.find((t) => t.name === 'v_ts');
    expect(ts).toMatchObject({ records: 1, softDeleted: 1 });
    const dt3 = info.tables.find((t) => t.name === 'v_dt3');
    expect(dt3).toMatchObject({ records: 2, softDeleted: 1 });
  });

  it('pages in the collation order of the primary key, each record once, at any page size', async () => {
    const serverOrder = (
      await db.admin.query<{ id: string }>('SELECT id FROM vault ORDER BY id')
    ).map((r) => r.id);
    const byteOrder = [...TRICKY_IDS].sort((x, y) =>
      Buffer.compare(Buffer.from(x), Buffer.from(y)),
    );
    expect(serverOrder).not.toEqual(byteOrder); // the test means something
    expect([...serverOrder].sort()).toEqual([...TRICKY_IDS].sort());
    for (const limit of [1, 2, 3, 100]) {
      const seen: string[] = [];
      let afterKey: string | null = null;
      for (;;) {
        const page: VaultRecord[] = await store.readRecords('vault', { afterKey, limit, now: NOW });
        seen.push(...page.map((r) => r.key));
        if (page.length < limit) break;
        afterKey = page.at(-1)!.key;
      }
      expect(seen).toEqual(serverOrder);
    }
    const streamed = await collect(store.streamRecords('vault', { pageSize: 2, now: NOW }));
    expect(streamed.map((r) => r.id)).toEqual(serverOrder);
    expect(streamed.find((r) => r.id === 'B')).toMatchObject({ softDeleted: true, value: 'YWJj1' });
    const live = await collect(
      store.streamRecords('vault', { pageSize: 3, now: NOW, includeSoftDeleted: false }),
    );
    expect(live.map((r) => r.id)).toEqual(serverOrder.filter((id) => id !== 'B'));
    expect(await store.countRecords('vault', { afterKey: 'b', now: NOW })).toBe(
      serverOrder.length - serverOrder.indexOf('B') - 1,
    );
  });

  it('bounds a page by value bytes, reads one record, and filters soft-deleted at "now"', async () => {
    const page = await store.readRecords('v_text', { limit: 10, maxBytes: 12, now: NOW });
    expect(page.map((r) => r.id)).toEqual(['x1', 'x2']);
    expect(await store.readRecord('v_text', 'x3', { now: NOW })).toEqual({
      key: 'x3',
      id: 'x3',
      value: 'abc-_=\r\n',
      softDeleted: false,
    });
    expect(await store.readRecord('v_text', 'nope')).toBeNull();
    expect(
      await store.readRecord('v_text', 'x7', { now: NOW, includeSoftDeleted: false }),
    ).toBeNull();
    expect(await store.countRecords('v_text', { now: NOW, includeSoftDeleted: false })).toBe(7);
    const before = new Date('2024-06-01T11:59:58Z');
    expect(await store.countRecords('v_text', { now: before, includeSoftDeleted: false })).toBe(8);
    // datetime(3) and timestamp columns compare as the same instant (session in UTC)
    expect(await store.countRecords('v_dt3', { now: NOW, includeSoftDeleted: false })).toBe(1);
    expect(await store.countRecords('v_ts', { now: NOW, includeSoftDeleted: false })).toBe(0);
  });

  it('samples at random, by value kind as info() counts them', async () => {
    const sample = await store.sampleRecords('vault', 5, { now: NOW });
    expect(sample).toHaveLength(5);
    expect(new Set(sample.map((r) => r.id)).size).toBe(5);
    const v2 = await store.sampleRecords('v_text', 10, { valueKind: 'v2', now: NOW });
    expect(v2.map((r) => r.id).sort()).toEqual(['x1', 'x7', 'x8']);
    const v1 = await store.sampleRecords('v_text', 10, { valueKind: 'v1', now: NOW });
    expect(v1.map((r) => r.id)).toEqual(['x3']);
    const liveV2 = await store.sampleRecords('v_text', 10, {
      valueKind: 'v2',
      now: NOW,
      includeSoftDeleted: false,
    });
    expect(liveV2.map((r) => r.id).sort()).toEqual(['x1', 'x8']);
    expect(await store.sampleRecords('vault', 0)).toEqual([]);
  });

  it('writes a batch in one transaction, guarded byte for byte against what was read', async () => {
    await db.admin.query('CREATE TABLE g LIKE vault');
    await insert(db, 'g', [
      { id: 'g1', value: 'old-1' },
      { id: 'g2', value: 'old-2' },
      { id: 'g3', value: 'abc' },
      { id: 'g4', value: 'pad' },
      { id: 'G5', value: 'old-5' },
    ]);
    // another session changes g2 after we "read" it
    await db.admin.query("UPDATE g SET vault_value = 'changed' WHERE id = 'g2'");
    const result = await store.writeBatch(
      'g',
      [
        { key: 'g1', expectedValue: 'old-1', newValue: 'new-1' },
        { key: 'g2', expectedValue: 'old-2', newValue: 'new-2' },
        // equal under the case-insensitive collation, not byte for byte
        { key: 'g3', expectedValue: 'ABC', newValue: 'new-3' },
        // equal under PAD SPACE, not byte for byte
        { key: 'g4', expectedValue: 'pad ', newValue: 'new-4' },
        { key: 'G5', expectedValue: 'old-5', newValue: 'new-5' },
        { key: 'gone', expectedValue: 'x', newValue: 'y' },
      ],
      '2024-06-01 12:00:00',
    );
    expect(result.written).toEqual(['g1', 'G5']);
    expect(result.guardFailed).toEqual(['g2', 'g3', 'g4', 'gone']);
    const rows = await db.admin.query<{ id: string; vault_value: string; updated_at: string }>(
      'SELECT id, vault_value, updated_at FROM g ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 'g1', vault_value: 'new-1', updated_at: '2024-06-01 12:00:00' },
      { id: 'g2', vault_value: 'changed', updated_at: PAST },
      { id: 'g3', vault_value: 'abc', updated_at: PAST },
      { id: 'g4', vault_value: 'pad', updated_at: PAST },
      { id: 'G5', vault_value: 'new-5', updated_at: '2024-06-01 12:00:00' },
    ]);
    expect(await store.writeBatch('g', [], '2024-06-01 12:00:00')).toEqual({
      written: [],
      guardFailed: [],
    });
    await expectCode(
      store.writeBatch(
        'g',
        [{ key: 'g1', expectedValue: 'new-1', newValue: 'x' }],
        '2024-06-01T12:00:00Z',
      ),
      'INTERNAL',
    );
  });

  it("waits for another session's row lock at most the busy timeout, then LOCKED (nothing written)", async () => {
    await db.admin.query('CREATE TABLE l LIKE vault');
    await insert(db, 'l', [
      { id: 'l1', value: 'one' },
      { id: 'l2', value: 'two' },
    ]);
    const quick = await open({ busyTimeoutMs: 1000 });
    const other = await db.connect();
    try {
      await other.query('START TRANSACTION');
      await other.query("SELECT * FROM l WHERE id = 'l2' FOR UPDATE");
      const started = Date.now();
      await expectCode(
        quick.writeBatch(
          'l',
          [
            { key: 'l1', expectedValue: 'one', newValue: 'ONE' },
            { key: 'l2', expectedValue: 'two', newValue: 'TWO' },
          ],
          '2024-06-01 12:00:00',
        ),
        'LOCKED',
        db.password,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      await other.query('ROLLBACK');
      const rows = await db.admin.query('SELECT vault_value FROM l ORDER BY id');
      expect(rows.map((r) => r.vault_value)).toEqual(['one', 'two']);
    } finally {
      await other.close();
      await quick.close();
    }
  });

  it('refuses to write in a read-only session', async () => {
    const reader = await open({ readOnly: true });
    try {
      expect(reader.readOnly).toBe(true);
      expect(await reader.countRecords('vault')).toBe(TRICKY_IDS.length);
      await expectCode(
        reader.writeBatch(
          'vault',
          [{ key: 'a', expectedValue: 'v2:value-0', newValue: 'x' }],
          PAST,
        ),
        'READ_ONLY',
      );
    } finally {
      await reader.close();
    }
    const rows = await db.admin.query("SELECT vault_value FROM vault WHERE id = 'a'");
    expect(rows[0]?.vault_value).toBe('v2:value-0');
  });

  it('lists the triggers of a table', async () => {
    await db.admin.query('CREATE TABLE audit_log (n int)');
    await db.admin.query(
      'CREATE TRIGGER vault_audit AFTER UPDATE ON v_text FOR EACH ROW INSERT INTO audit_log VALUES (1)',
    );
    expect(await store.triggersOn('v_text')).toEqual(['vault_audit']);
    expect(await store.triggersOn('vault')).toEqual([]);
  });

  it('refuses a table whose id is not the primary key (UNSUPPORTED_IDS)', async () => {
    await expect(store.assertPageable('vault')).resolves.toBeUndefined();
    const error = await expectCode(store.assertPageable('v_nokey'), 'UNSUPPORTED_IDS');
    expect(error.message).toContain('primary key');
  });

  it('takes the server rotation lock once; another session gets ROTATION_IN_PROGRESS naming the holder', async () => {
    const second = await open();
    try {
      const release = await store.lockForRotation!('vault');
      const holder = await db.admin.query<{ id: number }>('SELECT IS_USED_LOCK(?) AS id', [
        `vaultstore-admin:${db.database}.vault`,
      ]);
      const error = await expectCode(second.lockForRotation!('vault'), 'ROTATION_IN_PROGRESS');
      expect(error.message).toContain(`connection ${holder[0]!.id}`);
      await release();
      const again = await second.lockForRotation!('vault');
      await again();
    } finally {
      await second.close();
    }
  });

  it('backs up one consistent snapshot of the table into a SQLite file the tool opens', async () => {
    const backupStore = await open();
    try {
      await backupStore.assertPageable('v_dt3');
      const destination = `${dir.path}/v_dt3-backup.sqlite`;
      await backupStore.backupTo(destination);
      const backup = new Database(destination, { readonly: true });
      try {
        const rows = backup.prepare('SELECT * FROM v_dt3 ORDER BY id').all();
        expect(rows).toEqual([
          {
            id: 'd1',
            vault_token: 'tok-v_dt3-d1',
            vault_value: 'v2:one',
            created_at: PAST,
            updated_at: PAST,
            expires_at: FUTURE,
            soft_deleted_at: '2024-06-01 12:00:00',
          },
          expect.objectContaining({ id: 'd2', vault_value: 'v2:two' }),
        ]);
      } finally {
        backup.close();
      }
      const reopened = await openVault(destination, { readOnly: true });
      try {
        expect(await reopened.countRecords('v_dt3')).toBe(2);
      } finally {
        await reopened.close();
      }
      await expectCode(backupStore.backupTo(destination), 'USAGE');
    } finally {
      await backupStore.close();
    }
  });

  it('reports a killed connection as CONNECTION_LOST, without crashing the process', async () => {
    const victim = await open();
    try {
      expect(await victim.countRecords('vault')).toBe(TRICKY_IDS.length);
      await db.killConnectionsOf();
      await new Promise((r) => setTimeout(r, 200));
      const error = await expectCode(victim.countRecords('vault'), 'CONNECTION_LOST', db.password);
      expect(error.message).toContain('--resume');
      expect(error.message).toContain(db.url);
    } finally {
      await victim.close();
    }
    // the shared store was killed too: reopen it for later tests
    await store.close();
    store = await open();
  });

  it('says what went wrong when connecting, never with the password', async () => {
    await expectCode(
      openVault(db.url, { serverPassword: bytes(`${db.password}-wrong`) }),
      'SERVER_AUTH',
      db.password,
    );
    const missing = db.url.replace(/\/[^/]+$/, '/vsa_no_such_db');
    await expectCode(
      openVault(missing, { serverPassword: bytes(db.password) }),
      'DATABASE_NOT_FOUND',
      db.password,
    );
    await expectCode(
      openVault(`mysql://${db.user}@127.0.0.1:1/${db.database}`, {
        serverPassword: bytes(db.password),
      }),
      'SERVER_UNREACHABLE',
      db.password,
    );
    // .invalid never resolves (RFC 6761): the name is the problem, not the server.
    await expectCode(
      openVault(`mysql://${db.user}@vault-db.invalid:3306/${db.database}`, {
        serverPassword: bytes(db.password),
      }),
      'HOST_NOT_FOUND',
      db.password,
    );
    await expectCode(store.countRecords('no_such_table'), 'TABLE_NOT_FOUND');
    await expectCode(store.countRecords('not_vault'), 'MISSING_COLUMNS');
  });

  it('refuses a database without a vault table (NO_VAULT_TABLE)', async () => {
    const empty = await testDatabase('mysql');
    try {
      await empty.admin.query('CREATE TABLE other (id int PRIMARY KEY)');
      const error = await expectCode(
        openVault(empty.url, { serverPassword: bytes(empty.password) }),
        'NO_VAULT_TABLE',
        empty.password,
      );
      expect(error.message).toContain('"other"');
    } finally {
      await empty.dispose();
    }
  });

  it('gives SERVER_PERMISSION to a SELECT-only user at the first write, nothing written', async () => {
    const reader = await db.readOnlyUser();
    const selectOnly = await openVault(db.url.replace(`//${db.user}@`, `//${reader.user}@`), {
      serverPassword: bytes(reader.password),
    });
    try {
      expect(await selectOnly.countRecords('vault')).toBe(TRICKY_IDS.length);
      await expectCode(
        selectOnly.writeBatch(
          'vault',
          [
            { key: 'a', expectedValue: 'v2:value-0', newValue: 'x' },
            { key: 'z', expectedValue: 'v2:value-3', newValue: 'y' },
          ],
          PAST,
        ),
        'SERVER_PERMISSION',
        reader.password,
      );
    } finally {
      await selectOnly.close();
    }
    const rows = await db.admin.query(
      "SELECT vault_value FROM vault WHERE id IN ('a', 'z') ORDER BY id",
    );
    expect(rows.map((r) => r.vault_value)).toEqual(['v2:value-0', 'v2:value-3']);
  });
});

describe.skipIf(serverUnavailable('mysql'))(
  'MySQL/MariaDB VaultStore across a server restart',
  () => {
    it('reports CONNECTION_LOST after the server restarted, and connects again afterwards', async () => {
      const server = await startPrivateServer('mysql');
      try {
        const db = await testDatabase('mysql', { server });
        try {
          await db.admin.query(mysqlVaultTableSql('vault'));
          await insert(db, 'vault', [{ id: 'r1', value: 'v2:one' }]);
          const store = await openVault(db.url, { serverPassword: bytes(db.password) });
          try {
            expect(await store.countRecords('vault')).toBe(1);
            await server.restart();
            await expectCode(
              store.writeBatch(
                'vault',
                [{ key: 'r1', expectedValue: 'v2:one', newValue: 'v2:two' }],
                PAST,
              ),
              'CONNECTION_LOST',
              db.password,
            );
          } finally {
            await store.close();
          }
          const again = await openVault(db.url, { serverPassword: bytes(db.password) });
          try {
            expect((await again.readRecord('vault', 'r1'))?.value).toBe('v2:one');
          } finally {
            await again.close();
          }
        } finally {
          await db.dispose();
        }
      } finally {
        await server.dispose();
      }
    });
  },
);
