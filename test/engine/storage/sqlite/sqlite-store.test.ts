/**
 * The SQLite store suite, run against both SQLite drivers on real files
 * (fixture copies and vaults built with the library's DDL).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import {
  classifyStoredValue,
  formatSqliteDateTime,
  openVault,
} from '../../../../src/engine/storage/index.js';
import type { VaultRecord, VaultStore } from '../../../../src/engine/storage/index.js';
import {
  asNobody,
  bundleProbeForNobody,
  NOBODY,
  runningAsRoot,
  type NobodyCopy,
} from '../../../support/as-nobody.js';
import { copyFixture, makeTempDir, readManifest } from '../../../support/fixtures.js';
import type { FixtureName, TempDir } from '../../../support/fixtures.js';
import {
  DRIVERS,
  PAST,
  compareBinary,
  createVault,
  dumpDatabase,
  tableRows,
  expectEngineError,
  expectedVersionCounts,
  listFolder,
  manifestNow,
  sha256,
  sha256File,
} from '../support/sqlite-vaults.js';
import type { RecordSpec } from '../support/sqlite-vaults.js';
import { collect } from '../../../support/collect.js';

const FIXTURES: readonly FixtureName[] = ['tiny200', 'default60'];
const here = dirname(fileURLToPath(import.meta.url));

/**
 * Root ignores file permissions, so as root the read-only checks run in a
 * child process as the unprivileged user "nobody" (uid/gid 65534), where
 * chmod is enforced like for any user of the app. The probes run bundled from
 * a folder that user can reach (test/support/as-nobody.ts), wherever the
 * checkout lives; where even that is out of reach the tests skip with why.
 */
const PROBES = ['read-only-probe.ts', 'write-failure-probe.ts'] as const;
type ProbeName = (typeof PROBES)[number];
const probes = new Map<ProbeName, NobodyCopy>();

beforeAll(async () => {
  for (const name of PROBES) probes.set(name, await bundleProbeForNobody(join(here, name)));
  const reason = probes.get(PROBES[0])?.skipReason;
  if (reason) console.warn(`[skip] read-only storage tests as "nobody": ${reason}`);
});
afterAll(() => {
  for (const probe of probes.values()) probe.dispose();
});

function skipUnlessNobodyCanRunProbes(ctx: TestContext): void {
  const reason = [...probes.values()].find((probe) => probe.skipReason)?.skipReason;
  if (reason) ctx.skip(reason);
}

interface ProbeOutcome {
  uid: number | null;
  write: { opened?: true; records?: number; code?: string; message?: string };
  readOnly: { opened?: true; records?: number; code?: string; message?: string };
}

function runProbeAsUnprivilegedUser(
  probe: ProbeName,
  path: string,
  driver: string,
  home: string,
): unknown {
  const bundled = probes.get(probe);
  if (!bundled) throw new Error(`probe ${probe} was not bundled`);
  const child = spawnSync(process.execPath, [bundled.entry, path, driver], {
    cwd: bundled.cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: home },
    ...asNobody,
  });
  if (child.status !== 0) throw new Error(`probe failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '');
}

/** Two vault tables with awkward names, plus the things a write must not touch. */
const ODD_TABLE = 'my "odd" vault';
const OTHER_TABLE = "second vault; DROP TABLE users; --'";
const ODD_RECORDS: readonly (RecordSpec & { kind: 'v1' | 'v2' | 'other' })[] = [
  { id: 'a1', value: 'v2:AAAAbbbbCCCC', kind: 'v2' },
  { id: 'a2', value: 'v2:', kind: 'v2' },
  { id: 'a3', value: 'eENyUHglDFtbYm5U==', kind: 'v1' },
  { id: 'a4', value: 'abc-_\r\ndef=', kind: 'v1' },
  { id: 'a5', value: 'V2:uppercase', kind: 'other' },
  { id: 'a6', value: ' v2:leading-space', kind: 'other' },
  { id: 'a7', value: '', kind: 'other' },
  { id: 'a8', value: 'v1:notbase64', kind: 'other' },
  { id: 'a9', value: 'abc+/def', kind: 'other', softDeletedAt: PAST },
  { id: 'b1', value: 'v2:soft', kind: 'v2', softDeletedAt: PAST },
  { id: 'b2', value: 'v2:expired', kind: 'v2', expiresAt: PAST },
  { id: 'b3', value: 'QUJD', kind: 'v1', expiresAt: PAST, softDeletedAt: PAST },
  { id: 'b4', value: 'QUJD\nRUZH', kind: 'v1' },
  { id: 'b5', value: 'v2\u00e9:x', kind: 'other' },
];
const OTHER_RECORDS: readonly RecordSpec[] = [
  { id: 'x', value: 'v2:other-x' },
  { id: 'y', value: 'v2:other-y' },
];
const EXTRA_SQL = `
  CREATE TABLE users (id integer PRIMARY KEY, name text);
  INSERT INTO users (name) VALUES ('alice'), ('bob');
  CREATE TABLE notes (id text, vault_value text, body text);
  INSERT INTO notes VALUES ('n1', 'v2:not-a-vault', 'unrelated');`;

/** Ids whose BINARY order differs from case-insensitive, numeric and UTF-16 order. */
const TRICKY_IDS = [
  'a',
  'B',
  'b',
  'Z',
  '_',
  '~',
  '10',
  '9',
  '1',
  '01',
  ' ',
  'a b',
  'aa',
  'A',
  'é',
  'É',
  'e\u0301',
  '\u{1F600}',
  '\uFFFD',
  '\uE000',
  'z',
  'zz',
  '-',
  '.',
  'ZZZ',
  'Ä',
  'ä',
  '0',
];

function makeOddVault(path: string): void {
  createVault(
    path,
    [
      { table: ODD_TABLE, meta: 'odd_meta', records: ODD_RECORDS },
      { table: OTHER_TABLE, meta: 'vault_meta', records: OTHER_RECORDS },
    ],
    EXTRA_SQL,
  );
}

async function readAllPages(
  store: VaultStore,
  table: string,
  limit: number,
  includeSoftDeleted = true,
): Promise<VaultRecord[]> {
  const all: VaultRecord[] = [];
  let afterKey: string | null = null;
  for (;;) {
    const page = await store.readRecords(table, { afterKey, limit, includeSoftDeleted });
    expect(page.length).toBeLessThanOrEqual(limit);
    all.push(...page);
    if (page.length < limit) return all;
    afterKey = page[page.length - 1]!.key;
  }
}

/** Records in rowid order with their keys, straight from the file. */
function rowsWithKeys(path: string): { key: string; id: string; value: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return (
      db
        .prepare('SELECT CAST(rowid AS TEXT) AS key, id, vault_value FROM vault ORDER BY rowid')
        .all() as { key: string; id: string; vault_value: string }[]
    ).map((row) => ({ key: row.key, id: String(row.id), value: String(row.vault_value) }));
  } finally {
    db.close();
  }
}

/** Ids in rowid order (the order records are paged in), straight from the file. */
function idsInRowidOrder(path: string, where = ''): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT id FROM vault ${where} ORDER BY rowid`).pluck().all().map(String);
  } finally {
    db.close();
  }
}

describe.each(DRIVERS)('SQLite store: %s driver', (driver) => {
  let temp: TempDir;
  const open: VaultStore[] = [];
  const openStore = async (
    path: string,
    options: { readOnly?: boolean; busyTimeoutMs?: number } = {},
  ) => {
    const store = await openVault(path, { driver, ...options });
    open.push(store);
    return store;
  };

  beforeEach(() => {
    temp = makeTempDir('vsa-storage-');
  });
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    temp.dispose();
  });

  describe('reading the shared fixtures', () => {
    it.each(FIXTURES)('%s: counts match the manifest', async (name) => {
      const path = copyFixture(name, temp.path);
      const manifest = readManifest(name);
      const store = await openStore(path, { readOnly: true });
      expect(store.driver).toBe(driver);
      const info = await store.info(manifestNow(manifest));
      const versions = expectedVersionCounts(manifest);
      expect(info.driver).toBe(driver);
      expect(info.fileSizeBytes).toBe(statSync(path).size);
      expect(info.tables).toEqual([
        {
          name: manifest.table,
          records: manifest.n,
          softDeleted: manifest.soft_deleted,
          expired: manifest.expired,
          v2: versions.v2,
          v1: versions.v1,
          other: 0,
        },
      ]);
      expect(await store.vaultTables()).toEqual([manifest.table]);
      expect(await store.countRecords(manifest.table)).toBe(manifest.n);
      expect(
        await store.countRecords(manifest.table, {
          includeSoftDeleted: false,
          now: manifestNow(manifest),
        }),
      ).toBe(manifest.n - manifest.soft_deleted);
    });

    it.each(FIXTURES)(
      '%s: streams every record in key order with its value and flag',
      async (name) => {
        const path = copyFixture(name, temp.path);
        const manifest = readManifest(name);
        const store = await openStore(path, { readOnly: true });
        const records = await collect(
          store.streamRecords(manifest.table, { pageSize: 17, now: manifestNow(manifest) }),
        );
        expect(records.map((r) => r.id).sort(compareBinary)).toEqual(
          Object.keys(manifest.records).sort(compareBinary),
        );
        // rowid order: keys strictly increasing
        for (let i = 1; i < records.length; i++) {
          expect(BigInt(records[i]!.key) > BigInt(records[i - 1]!.key)).toBe(true);
        }
        for (const record of records) {
          const expected = manifest.records[record.id]!;
          expect(sha256(record.value)).toBe(expected.value_sha256);
          expect(record.softDeleted).toBe(expected.soft_deleted);
          expect(classifyStoredValue(record.value)).toBe(expected.version);
        }
        const live = await collect(
          store.streamRecords(manifest.table, {
            pageSize: 9,
            includeSoftDeleted: false,
            now: manifestNow(manifest),
          }),
        );
        expect(live.map((r) => r.id)).toEqual(
          records.filter((r) => !r.softDeleted).map((r) => r.id),
        );
      },
    );

    it('opening and reading (read-write or read-only) change nothing on disk', async () => {
      const path = copyFixture('tiny200', temp.path);
      const before = sha256File(path);
      const folderBefore = listFolder(temp.path);
      for (const readOnly of [false, true]) {
        const store = await openVault(path, { driver, readOnly });
        await store.info();
        expect(await collect(store.streamRecords('vault', { pageSize: 50 }))).toHaveLength(200);
        await store.sampleRecords('vault', 10);
        await store.countRecords('vault', { afterKey: '50' });
        await store.assertVaultTable('vault');
        await store.close();
      }
      expect(sha256File(path)).toBe(before);
      expect(listFolder(temp.path)).toEqual(folderBefore);
    });

    it('samples distinct existing records at random', async () => {
      const path = copyFixture('tiny200', temp.path);
      const manifest = readManifest('tiny200');
      const store = await openStore(path, { readOnly: true });
      const sample = await store.sampleRecords('vault', 25, { now: manifestNow(manifest) });
      expect(sample).toHaveLength(25);
      expect(new Set(sample.map((r) => r.id)).size).toBe(25);
      for (const record of sample) {
        expect(sha256(record.value)).toBe(manifest.records[record.id]!.value_sha256);
        expect(record.softDeleted).toBe(manifest.records[record.id]!.soft_deleted);
      }
      const live = await store.sampleRecords('vault', 500, {
        includeSoftDeleted: false,
        now: manifestNow(manifest),
      });
      expect(live).toHaveLength(manifest.n - manifest.soft_deleted);
      expect(live.every((r) => !r.softDeleted)).toBe(true);
      expect(await store.sampleRecords('vault', 0)).toEqual([]);
    });
  });

  describe('finding vault tables by their columns', () => {
    it('finds both oddly named vault tables and counts each value kind', async () => {
      const path = join(temp.path, 'odd.db');
      makeOddVault(path);
      const store = await openStore(path, { readOnly: true });
      expect(await store.vaultTables()).toEqual([ODD_TABLE, OTHER_TABLE].sort(compareBinary));
      const now = new Date();
      const byKind = (kind: string) => ODD_RECORDS.filter((r) => r.kind === kind).length;
      const odd = (await store.info(now)).tables.find((t) => t.name === ODD_TABLE);
      expect(odd).toEqual({
        name: ODD_TABLE,
        records: ODD_RECORDS.length,
        softDeleted: ODD_RECORDS.filter((r) => r.softDeletedAt === PAST).length,
        expired: ODD_RECORDS.filter((r) => r.expiresAt === PAST).length,
        v2: byKind('v2'),
        v1: byKind('v1'),
        other: byKind('other'),
      });
      for await (const record of store.streamRecords(ODD_TABLE, {})) {
        expect(classifyStoredValue(record.value)).toBe(
          ODD_RECORDS.find((r) => r.id === record.id)!.kind,
        );
      }
      expect((await store.info(now)).tables.find((t) => t.name === OTHER_TABLE)?.records).toBe(
        OTHER_RECORDS.length,
      );
    });

    it('resolves table names case-insensitively, as SQLite does', async () => {
      const path = join(temp.path, 'odd.db');
      makeOddVault(path);
      const store = await openStore(path, { readOnly: true });
      expect(await store.countRecords(ODD_TABLE.toUpperCase())).toBe(ODD_RECORDS.length);
    });

    it('TABLE_NOT_FOUND and MISSING_COLUMNS name the problem and the vault tables to pick', async () => {
      const path = join(temp.path, 'odd.db');
      makeOddVault(path);
      const store = await openStore(path, { readOnly: true });
      const notFound = await expectEngineError(
        () => store.assertVaultTable('vault'),
        'TABLE_NOT_FOUND',
        /pick one/i,
      );
      expect(notFound.message).toContain(JSON.stringify(ODD_TABLE));
      const missing = await expectEngineError(
        () => store.readRecords('notes', { limit: 5 }),
        'MISSING_COLUMNS',
        /pick one/i,
      );
      for (const column of [
        'vault_token',
        'created_at',
        'updated_at',
        'expires_at',
        'soft_deleted_at',
      ]) {
        expect(missing.message).toContain(column);
      }
      await expectEngineError(
        () => store.assertVaultTable('users'),
        'MISSING_COLUMNS',
        /pick one/i,
      );
    });
  });

  describe('keyset pagination', () => {
    const makeTrickyVault = (path: string) =>
      createVault(path, [
        {
          table: 'vault',
          meta: 'vault_meta',
          records: TRICKY_IDS.map((id, i) => ({
            id,
            value: `v2:value-${i}`,
            ...(i % 4 === 0 ? { softDeletedAt: PAST } : {}),
          })),
        },
      ]);

    it.each([1, 2, 3, 7, 100])(
      'pages of %i follow rowid order without gaps or repeats',
      async (limit) => {
        const path = join(temp.path, 'tricky.db');
        makeTrickyVault(path);
        const store = await openStore(path, { readOnly: true });
        const expected = idsInRowidOrder(path);
        expect([...expected].sort(compareBinary)).toEqual(
          [...new Set(TRICKY_IDS)].sort(compareBinary),
        );
        expect((await readAllPages(store, 'vault', limit)).map((r) => r.id)).toEqual(expected);
        expect(
          (await collect(store.streamRecords('vault', { pageSize: limit }))).map((r) => r.id),
        ).toEqual(expected);
        const live = await readAllPages(store, 'vault', limit, false);
        expect(live.every((r) => !r.softDeleted)).toBe(true);
        expect(live.length).toBe(await store.countRecords('vault', { includeSoftDeleted: false }));
      },
    );

    it('a cursor between or beyond stored rowids continues after it (exact beyond 2^53)', async () => {
      const path = join(temp.path, 'tricky.db');
      makeTrickyVault(path);
      const store = await openStore(path, { readOnly: true });
      for (const cursor of [
        '-5',
        '0',
        '3',
        '10',
        '99999',
        '9007199254740993',
        '9223372036854775807',
      ]) {
        const expected = idsInRowidOrder(path, `WHERE rowid > CAST('${cursor}' AS INTEGER)`);
        const records = await collect(
          store.streamRecords('vault', { afterKey: cursor, pageSize: 4 }),
        );
        expect(records.map((r) => r.id)).toEqual(expected);
        expect(await store.countRecords('vault', { afterKey: cursor })).toBe(expected.length);
      }
    });

    it('rows added or removed behind the cursor neither skip nor repeat records (unlike OFFSET)', async () => {
      const path = join(temp.path, 'tricky.db');
      makeTrickyVault(path);
      const store = await openStore(path);
      const first = await store.readRecords('vault', { limit: 5 });
      const afterCursorBefore = idsInRowidOrder(path, `WHERE rowid > ${first[4]!.key}`);
      const other = new Database(path);
      other.prepare('DELETE FROM vault WHERE id IN (?, ?)').run(first[0]!.id, first[1]!.id);
      other.exec(`INSERT INTO vault SELECT '!' || id, 'tk_new_' || id, vault_value, created_at, updated_at,
        expires_at, soft_deleted_at FROM vault WHERE id IN ('A', 'B')`);
      other.close();
      const rest: VaultRecord[] = [];
      let afterKey = first[4]!.key;
      for (let page = await store.readRecords('vault', { afterKey, limit: 5 }); page.length > 0;) {
        rest.push(...page);
        afterKey = page[page.length - 1]!.key;
        page = await store.readRecords('vault', { afterKey, limit: 5 });
      }
      // rows inserted during the scan get new rowids: they come after the cursor, never lost
      const afterCursorNow = idsInRowidOrder(path, `WHERE rowid > ${first[4]!.key}`);
      expect(afterCursorNow.filter((id) => id.startsWith('!')).length).toBeGreaterThan(0);
      // sql.js reads its in-memory copy, which does not see the other program's change
      expect(rest.map((r) => r.id)).toEqual(
        driver === 'sql.js' ? afterCursorBefore : afterCursorNow,
      );
    });
  });

  describe('guarded write batches', () => {
    it('writes only vault_value and updated_at of matching rows, nothing else anywhere', async () => {
      const path = join(temp.path, 'odd.db');
      makeOddVault(path);
      const before = dumpDatabase(path);
      const store = await openStore(path);
      const records = await collect(store.streamRecords(ODD_TABLE, {}));
      const chosen = [records[0]!, records[3]!, records[6]!];
      const updatedAt = formatSqliteDateTime(new Date(Date.UTC(2031, 0, 2, 3, 4, 5, 678)));
      expect(updatedAt).toBe('2031-01-02 03:04:05');
      const result = await store.writeBatch(
        ODD_TABLE,
        chosen.map((r, i) => ({ key: r.key, expectedValue: r.value, newValue: `v2:rotated-${i}` })),
        updatedAt,
      );
      expect(result).toEqual({ written: chosen.map((r) => r.key), guardFailed: [] });
      const after = dumpDatabase(path);
      for (const table of Object.keys(before).filter((t) => t !== ODD_TABLE)) {
        expect(after[table], `table ${table}`).toEqual(before[table]);
      }
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      const rowsBefore = before[ODD_TABLE]!;
      const rowsAfter = after[ODD_TABLE]!;
      expect(rowsAfter).toHaveLength(rowsBefore.length);
      rowsAfter.forEach((row, i) => {
        const index = chosen.findIndex((r) => r.id === row.id);
        if (index < 0) {
          expect(row).toEqual(rowsBefore[i]);
        } else {
          expect(row).toEqual({
            ...rowsBefore[i],
            vault_value: `v2:rotated-${index}`,
            updated_at: updatedAt,
          });
        }
      });
    });

    it('a guard fails when the value changed since it was read; the other program keeps its change', async () => {
      const path = copyFixture('tiny200', temp.path);
      const store = await openStore(path);
      const [a, b, c, d] = await store.readRecords('vault', { limit: 4 });
      const other = new Database(path);
      other
        .prepare('UPDATE vault SET vault_value = ? WHERE id = ?')
        .run('v2:changed-by-the-app', b!.id);
      other.prepare('DELETE FROM vault WHERE id = ?').run(c!.id);
      other.close();
      const batch = [a!, b!, c!, d!].map((r) => ({
        key: r.key,
        expectedValue: r.value,
        newValue: `v2:new-${r.id}`,
      }));
      const updatedAt = '2030-05-06 07:08:09';
      let result;
      if (driver === 'sql.js') {
        // sql.js works on a copy: it must refuse rather than overwrite, then a fresh open sees the change.
        const changed = sha256File(path);
        await expectEngineError(
          () => store.writeBatch('vault', batch, updatedAt),
          'FILE_CHANGED',
          /open the vault again/i,
        );
        expect(sha256File(path)).toBe(changed);
        const fresh = await openStore(path);
        result = await fresh.writeBatch('vault', batch, updatedAt);
      } else {
        result = await store.writeBatch('vault', batch, updatedAt);
      }
      expect(result).toEqual({ written: [a!.key, d!.key], guardFailed: [b!.key, c!.key] });
      const rows = new Map(tableRows(path, 'vault').map((row) => [row.id, row]));
      expect(rows.get(b!.id)?.vault_value).toBe('v2:changed-by-the-app');
      expect(rows.has(c!.id)).toBe(false);
      expect(rows.get(a!.id)).toMatchObject({
        vault_value: `v2:new-${a!.id}`,
        updated_at: updatedAt,
      });
      expect(rows.get(d!.id)).toMatchObject({
        vault_value: `v2:new-${d!.id}`,
        updated_at: updatedAt,
      });
    });

    it('consecutive batches each land, and another connection sees a sound database', async () => {
      const path = copyFixture('tiny200', temp.path);
      const store = await openStore(path);
      const records = await store.readRecords('vault', { limit: 6 });
      for (const [round, slice] of [records.slice(0, 3), records.slice(3)].entries()) {
        const result = await store.writeBatch(
          'vault',
          slice.map((r) => ({ key: r.key, expectedValue: r.value, newValue: `v2:round-${round}` })),
          '2030-01-01 00:00:00',
        );
        expect(result.written).toEqual(slice.map((r) => r.key));
      }
      const other = new Database(path, { readonly: true });
      expect(other.pragma('integrity_check', { simple: true })).toBe('ok');
      const values = other
        .prepare('SELECT vault_value FROM vault ORDER BY rowid LIMIT 6')
        .pluck()
        .all();
      other.close();
      expect(values).toEqual([
        'v2:round-0',
        'v2:round-0',
        'v2:round-0',
        'v2:round-1',
        'v2:round-1',
        'v2:round-1',
      ]);
      // the store's own view agrees with the file
      expect((await store.readRecords('vault', { limit: 6 })).map((r) => r.value)).toEqual(values);
    });

    it('rolls the whole batch back when one update fails, then keeps working', async () => {
      const path = copyFixture('tiny200', temp.path);
      const records = rowsWithKeys(path);
      const victim = records[2]!;
      const trigger = new Database(path);
      trigger.exec(
        `CREATE TRIGGER refuse_one BEFORE UPDATE ON vault WHEN NEW.id = '${victim.id}'
         BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`,
      );
      trigger.close();
      const before = dumpDatabase(path);
      const store = await openStore(path);
      const batch = records
        .slice(0, 5)
        .map((r) => ({ key: r.key, expectedValue: r.value, newValue: 'v2:new' }));
      await expectEngineError(
        () => store.writeBatch('vault', batch, '2030-01-01 00:00:00'),
        'IO',
        /nothing was changed/i,
      );
      expect(dumpDatabase(path)).toEqual(before);
      expect((await store.readRecords('vault', { limit: 5 })).map((r) => r.value)).toEqual(
        records.slice(0, 5).map((r) => r.value),
      );
      const withoutVictim = batch.filter((u) => u.key !== victim.key);
      expect(
        (await store.writeBatch('vault', withoutVictim, '2030-01-01 00:00:00')).written,
      ).toEqual(withoutVictim.map((u) => u.key));
    });

    it('an empty batch or a batch whose guards all fail leaves the file untouched', async () => {
      const path = copyFixture('tiny200', temp.path);
      const before = sha256File(path);
      const store = await openStore(path);
      const [record] = await store.readRecords('vault', { limit: 1 });
      expect(await store.writeBatch('vault', [], '2030-01-01 00:00:00')).toEqual({
        written: [],
        guardFailed: [],
      });
      expect(
        await store.writeBatch(
          'vault',
          [{ key: record!.key, expectedValue: 'v2:stale', newValue: 'v2:x' }],
          '2030-01-01 00:00:00',
        ),
      ).toEqual({ written: [], guardFailed: [record!.key] });
      expect(sha256File(path)).toBe(before);
    });

    it('refuses to write when opened read-only', async () => {
      const path = copyFixture('tiny200', temp.path);
      const before = sha256File(path);
      const store = await openStore(path, { readOnly: true });
      expect(store.readOnly).toBe(true);
      const [record] = await store.readRecords('vault', { limit: 1 });
      await expectEngineError(
        () =>
          store.writeBatch(
            'vault',
            [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:x' }],
            '2030-01-01 00:00:00',
          ),
        'READ_ONLY',
        /without read-only/i,
      );
      expect(sha256File(path)).toBe(before);
    });
  });

  describe('backups', () => {
    it('a backup opens with the same tables, counts and rows, including written batches', async () => {
      const path = join(temp.path, 'odd.db');
      makeOddVault(path);
      const store = await openStore(path);
      const [record] = await store.readRecords(OTHER_TABLE, { limit: 1 });
      await store.writeBatch(
        OTHER_TABLE,
        [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:after' }],
        '2030-01-01 00:00:00',
      );
      const source = sha256File(path);
      const backupPath = join(temp.path, 'backup.db');
      await store.backupTo(backupPath);
      expect(sha256File(path)).toBe(source);
      expect(listFolder(temp.path)).toEqual(['backup.db', 'odd.db']);
      expect(dumpDatabase(backupPath)).toEqual(dumpDatabase(path));
      const copy = await openStore(backupPath, { readOnly: true });
      const now = new Date();
      expect((await copy.info(now)).tables).toEqual((await store.info(now)).tables);
    });

    it('a backup into a missing folder fails clearly and leaves nothing behind', async () => {
      const path = copyFixture('tiny200', temp.path);
      const store = await openStore(path, { readOnly: true });
      await expectEngineError(
        store.backupTo(join(temp.path, 'missing', 'b.db')),
        'FILE_NOT_FOUND',
        /create it|choose/i,
      );
      expect(listFolder(temp.path)).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
    });
  });

  describe('errors say what happened and what to do', () => {
    it('missing file: FILE_NOT_FOUND, and no file is created', async () => {
      const path = join(temp.path, 'absent.db');
      await expectEngineError(openVault(path, { driver }), 'FILE_NOT_FOUND', /check the path/i);
      await expectEngineError(
        openVault(path, { driver, readOnly: true }),
        'FILE_NOT_FOUND',
        /check the path/i,
      );
      expect(listFolder(temp.path)).toEqual([]);
    });

    it('empty file: NOT_SQLITE, and it stays empty', async () => {
      const path = join(temp.path, 'empty.db');
      writeFileSync(path, '');
      await expectEngineError(openVault(path, { driver }), 'NOT_SQLITE', /choose the vault file/i);
      expect(statSync(path).size).toBe(0);
      expect(listFolder(temp.path)).toEqual(['empty.db']);
    });

    it('text file: NOT_SQLITE', async () => {
      const path = join(temp.path, 'notes.db');
      writeFileSync(path, 'id,value\n1,secret\n'.repeat(50));
      const before = sha256File(path);
      const error = await expectEngineError(
        openVault(path, { driver }),
        'NOT_SQLITE',
        /choose the vault file/i,
      );
      expect(error.message).toMatch(/text file/);
      expect(sha256File(path)).toBe(before);
    });

    it('folder instead of a file: NOT_SQLITE', async () => {
      await expectEngineError(
        openVault(temp.path, { driver }),
        'NOT_SQLITE',
        /choose the vault file/i,
      );
    });

    it.each([
      ['half the file', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
      ['50 bytes', (bytes: Buffer) => bytes.subarray(0, 50)],
      ['8 bytes', (bytes: Buffer) => bytes.subarray(0, 8)],
    ])('truncated to %s: CORRUPT', async (_label, cut) => {
      const path = copyFixture('tiny200', temp.path);
      const { readFileSync } = await import('node:fs');
      writeFileSync(path, cut(readFileSync(path)));
      const before = sha256File(path);
      await expectEngineError(
        openVault(path, { driver, readOnly: true }),
        'CORRUPT',
        /restore it from a backup/i,
      );
      expect(sha256File(path)).toBe(before);
    });

    it.each([
      ['an invalid page size in the header', 16, [0x03, 0x00]],
      ['an invalid payload fraction in the header', 21, [0x20]],
      ['garbage over a b-tree page', 'page', []],
    ] as const)('%s: CORRUPT', async (_label, offset, bytes) => {
      const path = copyFixture('tiny200', temp.path);
      const { readFileSync } = await import('node:fs');
      const image = readFileSync(path);
      if (offset === 'page') {
        const pageSize = image.readUInt16BE(16);
        image.fill(0x5a, pageSize * 20, pageSize * 21); // page 21: inside the vault table's b-tree
      } else {
        image.set(bytes, offset);
      }
      writeFileSync(path, image);
      const before = sha256File(path);
      await expectEngineError(openVault(path, { driver }), 'CORRUPT', /restore it from a backup/i);
      expect(sha256File(path)).toBe(before);
    });

    it('SQLite file without a vault table: NO_VAULT_TABLE naming the tables and what they lack', async () => {
      const path = join(temp.path, 'app.db');
      const db = new Database(path);
      db.exec(`CREATE TABLE users (id integer PRIMARY KEY, name text);
        CREATE TABLE secrets (id text PRIMARY KEY, vault_token text, vault_value text, created_at text);`);
      db.close();
      const before = sha256File(path);
      const error = await expectEngineError(
        openVault(path, { driver }),
        'NO_VAULT_TABLE',
        /choose the database file/i,
      );
      expect(error.message).toContain('"users"');
      expect(error.message).toMatch(/"secrets" lacks updated_at, expires_at, soft_deleted_at/);
      expect(sha256File(path)).toBe(before);
    });

    it.for([
      ['file', 0o755, 0o444],
      ['folder', 0o555, 0o666],
    ] as const)(
      'read-only %s: READ_ONLY to write, while opening read-only works',
      async ([what, folderMode, fileMode], ctx) => {
        skipUnlessNobodyCanRunProbes(ctx);
        chmodSync(temp.path, 0o755);
        const folder = join(temp.path, 'ro');
        mkdirSync(folder);
        const path = copyFixture('tiny200', folder);
        const before = sha256File(path);
        if (runningAsRoot) chownSync(path, NOBODY, NOBODY);
        chmodSync(path, fileMode);
        chmodSync(folder, folderMode);
        try {
          const outcome = runProbeAsUnprivilegedUser(
            'read-only-probe.ts',
            path,
            driver,
            temp.path,
          ) as ProbeOutcome;
          if (runningAsRoot) expect(outcome.uid).toBe(NOBODY);
          expect(outcome.write.code, outcome.write.message).toBe('READ_ONLY');
          expect(outcome.write.message).toMatch(
            what === 'file' ? /file is read-only/ : /folder .* is not writable/,
          );
          expect(outcome.write.message).toMatch(/open it read-only|writable folder/);
          expect(outcome.readOnly).toEqual({ opened: true, records: 200 });
        } finally {
          chmodSync(folder, 0o755);
        }
        expect(sha256File(path)).toBe(before);
        expect(listFolder(folder)).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);
      },
    );

    it('a batch that cannot be written (folder made read-only after opening) fails whole; the store recovers', async (ctx) => {
      skipUnlessNobodyCanRunProbes(ctx);
      chmodSync(temp.path, 0o755);
      const folder = join(temp.path, 'rw');
      mkdirSync(folder);
      const path = copyFixture('tiny200', folder);
      if (runningAsRoot) {
        chownSync(folder, NOBODY, NOBODY);
        chownSync(path, NOBODY, NOBODY);
      }
      const before = tableRows(path, 'vault');
      const outcome = runProbeAsUnprivilegedUser(
        'write-failure-probe.ts',
        path,
        driver,
        temp.path,
      ) as {
        failure: { code: string; message: string } | null;
        valueAfterFailure: boolean;
        retry: { written: string[] };
      };
      expect(outcome.failure?.code, outcome.failure?.message).toBe('READ_ONLY');
      expect(outcome.failure?.message).toMatch(/writable/);
      expect(outcome.valueAfterFailure).toBe(true);
      // the probe rewrites the first record in paging (rowid) order
      const first = rowsWithKeys(path)[0]!;
      const firstId = first.id;
      expect(outcome.retry.written).toEqual([first.key]);
      const after = tableRows(path, 'vault');
      expect(after.find((row) => row.id === firstId)?.vault_value).toBe('v2:kept');
      expect(after.filter((row) => row.id !== firstId)).toEqual(
        before.filter((row) => row.id !== firstId),
      );
    });

    it('locked by another connection writing: waits the busy timeout, then LOCKED', async () => {
      const path = copyFixture('tiny200', temp.path);
      const store = await openStore(path, { busyTimeoutMs: 150 });
      const [record] = await store.readRecords('vault', { limit: 1 });
      const other = new Database(path);
      try {
        other.exec('BEGIN IMMEDIATE');
        other
          .prepare("UPDATE vault SET updated_at = '2030-01-01 00:00:00' WHERE id = ?")
          .run(record!.id);
        const update = { key: record!.key, expectedValue: record!.value, newValue: 'v2:x' };
        await expectEngineError(
          () => store.writeBatch('vault', [update], '2030-01-01 00:00:00'),
          'LOCKED',
          /close the application.*try again/i,
        );
        other.exec('ROLLBACK');
        expect((await store.writeBatch('vault', [update], '2030-01-01 00:00:00')).written).toEqual([
          record!.key,
        ]);
      } finally {
        other.close();
      }
    });

    it('locked exclusively while opening: LOCKED after the busy timeout', async () => {
      const path = copyFixture('tiny200', temp.path);
      const other = new Database(path);
      try {
        other.exec('BEGIN EXCLUSIVE');
        other.exec("UPDATE vault SET updated_at = '2030-01-01 00:00:00'");
        await expectEngineError(
          openVault(path, { driver, busyTimeoutMs: 100 }),
          'LOCKED',
          /try again/i,
        );
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
    });
  });
});
