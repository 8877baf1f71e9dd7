/**
 * Record keys, on both SQLite drivers and real files: tables with a rowid are paged
 * and written on it whatever their ids hold (NULL, BLOB, integer, invalid
 * UTF-8, duplicated); WITHOUT ROWID tables are paged on the id and refused
 * (UNSUPPORTED_IDS) when their ids cannot be; pages are bounded in bytes;
 * triggers are listed; data_version tells another program's commit from our
 * own; and the vault's own triggers may not call the engine's SQL functions
 * (trusted_schema=OFF).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatSqliteDateTime, openVault } from '../../../../src/engine/storage/index.js';
import type { VaultRecord, VaultStore } from '../../../../src/engine/storage/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { vaultTableDdl } from '../../../support/odd-vault.js';
import { DRIVERS, NEVER, sha256File } from '../support/sqlite-vaults.js';
import { collect } from '../../../support/collect.js';

const UPDATED = formatSqliteDateTime(new Date('2026-01-01T00:00:00Z'));

/** A table with the seven columns; rows given as SQL value lists (id first), in rowid order. */
function makeTable(path: string, ddl: string, ids: readonly string[], extraSql = ''): void {
  const db = new Database(path);
  try {
    db.exec(ddl);
    ids.forEach((idSql, i) =>
      db.exec(
        `INSERT INTO vault VALUES (${idSql}, 'tk_${i}', 'value ${i}', '${NEVER}', '${NEVER}', '${NEVER}', '${NEVER}')`,
      ),
    );
    if (extraSql) db.exec(extraSql);
  } finally {
    db.close();
  }
}

function pageAll(store: VaultStore, pageSize: number): Promise<VaultRecord[]> {
  return collect(store.streamRecords('vault', { pageSize }));
}

for (const driver of DRIVERS) {
  describe(`record keys (${driver})`, () => {
    let dir: TempDir;
    let store: VaultStore | null = null;
    beforeEach(() => {
      dir = makeTempDir('vsa-record-keys-');
    });
    afterEach(async () => {
      await store?.close();
      store = null;
      dir.dispose();
    });

    const open = async (path: string): Promise<VaultStore> => {
      store = await openVault(path, { driver });
      return store;
    };

    it('pages a rowid table on rowid whatever its ids hold, each row once, ids spelled out', async () => {
      const path = join(dir.path, 'odd-ids.db');
      const ids = [
        "'b'",
        'NULL',
        "x'fe00'",
        '7',
        "CAST(x'ff61' AS TEXT)",
        "'a'",
        "'a'",
        'NULL',
        '2.5',
        "'0001'",
      ];
      makeTable(path, vaultTableDdl('vault', { idType: '' }), ids);
      const vault = await open(path);
      expect(await vault.keyKind('vault')).toBe('rowid');
      await vault.assertPageable('vault');
      for (const pageSize of [1, 2, 3, 100]) {
        const records = await pageAll(vault, pageSize);
        expect(
          records.map((r) => r.key),
          `page size ${pageSize}`,
        ).toEqual(ids.map((_, i) => String(i + 1)));
        expect(records.map((r) => r.value)).toEqual(ids.map((_, i) => `value ${i}`));
      }
      const shown = (await pageAll(vault, 4)).map((r) => r.id);
      expect(shown.slice(0, 5)).toEqual(['b', '(no id)', "x'FE00'", '7', '\ufffda']);
      expect(shown.slice(5)).toEqual(['a', 'a', '(no id)', '2.5', '0001']);
    });

    it('a guarded write addresses one row by its key, even among duplicate and NULL ids', async () => {
      const path = join(dir.path, 'duplicates.db');
      makeTable(path, vaultTableDdl('vault', { idType: 'text' }), ["'a'", "'a'", 'NULL', 'NULL']);
      const vault = await open(path);
      const records = await pageAll(vault, 2);
      const targets = [records[1]!, records[3]!];
      const result = await vault.writeBatch(
        'vault',
        targets.map((r) => ({ key: r.key, expectedValue: r.value, newValue: `new ${r.value}` })),
        UPDATED,
      );
      expect(result).toEqual({ written: ['2', '4'], guardFailed: [] });
      expect((await pageAll(vault, 10)).map((r) => r.value)).toEqual([
        'value 0',
        'new value 1',
        'value 2',
        'new value 3',
      ]);
      expect((await vault.readRecord('vault', '2'))?.value).toBe('new value 1');
    });

    it('a WITHOUT ROWID table with unique text ids pages on the id', async () => {
      const path = join(dir.path, 'without-rowid.db');
      makeTable(
        path,
        vaultTableDdl('vault', {
          idType: 'text NOT NULL',
          tail: 'PRIMARY KEY (id)',
          withoutRowid: true,
        }),
        ["'c'", "'a'", "'b'", "'d'"],
      );
      const vault = await open(path);
      expect(await vault.keyKind('vault')).toBe('id');
      await vault.assertPageable('vault');
      expect((await pageAll(vault, 3)).map((r) => r.key)).toEqual(['a', 'b', 'c', 'd']);
    });

    const unpageable: [string, string, string[], RegExp][] = [
      [
        'NULL ids',
        vaultTableDdl('vault', {
          idType: 'text',
          tail: 'PRIMARY KEY (vault_token)',
          withoutRowid: true,
        }),
        ["'a'", 'NULL', 'NULL'],
        /2 record\(s\) have no id \(NULL\)/,
      ],
      [
        'integer and BLOB ids',
        vaultTableDdl('vault', { idType: '', tail: 'PRIMARY KEY (id)', withoutRowid: true }),
        ["'a'", '1', "x'00'"],
        /2 record\(s\) have an id that is not text/,
      ],
      [
        'invalid UTF-8 ids',
        vaultTableDdl('vault', { idType: 'text', tail: 'PRIMARY KEY (id)', withoutRowid: true }),
        ["'a'", "CAST(x'ff61' AS TEXT)"],
        /1 record\(s\) have an id that is not valid UTF-8 text/,
      ],
      [
        'duplicate ids',
        vaultTableDdl('vault', {
          idType: 'text',
          tail: 'PRIMARY KEY (vault_token, id)',
          withoutRowid: true,
        }),
        ["'a'", "'a'", "'a'", "'b'"],
        /2 record\(s\) repeat an id another record has/,
      ],
    ];
    for (const [what, ddl, ids, message] of unpageable) {
      it(`refuses a WITHOUT ROWID table with ${what}: UNSUPPORTED_IDS, file unchanged`, async () => {
        const path = join(dir.path, 'unpageable.db');
        makeTable(path, ddl, ids);
        const hash = sha256File(path);
        const vault = await open(path);
        let caught: unknown = null;
        try {
          await vault.assertPageable('vault');
        } catch (error) {
          caught = error;
        }
        expect(caught).toMatchObject({
          code: 'UNSUPPORTED_IDS',
          message: expect.stringMatching(message),
        });
        await vault.close();
        expect(sha256File(path)).toBe(hash);
      });
    }

    it('bounds a page by bytes of values (at least one record)', async () => {
      const path = join(dir.path, 'large.db');
      const db = new Database(path);
      db.exec(vaultTableDdl('vault', { tail: 'PRIMARY KEY (id)' }));
      const insert = db.prepare(
        `INSERT INTO vault VALUES (?, ?, ?, '${NEVER}', '${NEVER}', '${NEVER}', '${NEVER}')`,
      );
      for (let i = 0; i < 6; i++) insert.run(`id-${i}`, `tk_${i}`, String(i).repeat(1000));
      db.close();
      const vault = await open(path);
      expect((await vault.readRecords('vault', { limit: 10, maxBytes: 2500 })).length).toBe(2);
      expect((await vault.readRecords('vault', { limit: 10, maxBytes: 10 })).length).toBe(1);
      expect(
        (await vault.readRecords('vault', { limit: 10, afterKey: '5', maxBytes: 10 })).map(
          (r) => r.key,
        ),
      ).toEqual(['6']);
      expect((await vault.readRecords('vault', { limit: 4, maxBytes: 1e9 })).length).toBe(4);
    });

    it('lists the triggers on the vault table, and only those', async () => {
      const path = join(dir.path, 'triggers.db');
      makeTable(
        path,
        vaultTableDdl('vault'),
        ["'a'"],
        `CREATE TABLE other (x); CREATE TABLE log (x);
         CREATE TRIGGER "z on vault" AFTER UPDATE ON vault BEGIN INSERT INTO log VALUES (1); END;
         CREATE TRIGGER a_on_vault BEFORE DELETE ON VAULT BEGIN SELECT 1; END;
         CREATE TRIGGER on_other AFTER INSERT ON other BEGIN SELECT 1; END;`,
      );
      const vault = await open(path);
      expect(await vault.triggersOn('vault')).toEqual(['a_on_vault', 'z on vault']);
    });

    it("the vault's triggers cannot call the engine's SQL functions (trusted_schema=OFF)", async () => {
      const path = join(dir.path, 'untrusted.db');
      makeTable(path, vaultTableDdl('vault'), ["'a'"], 'CREATE TABLE leak (x);');
      // Added after the table is filled: the function does not exist outside the engine.
      const db = new Database(path);
      db.exec(
        `CREATE TRIGGER steal AFTER UPDATE ON vault BEGIN
           INSERT INTO leak VALUES (vaultstore_admin_is_utf8(OLD.vault_value)); END;`,
      );
      db.close();
      const vault = await open(path);
      const [record] = await pageAll(vault, 10);
      await expect(
        vault.writeBatch(
          'vault',
          [{ key: record!.key, expectedValue: record!.value, newValue: 'new' }],
          UPDATED,
        ),
      ).rejects.toThrow();
      await vault.close();
      const check = new Database(path, { readonly: true });
      expect(check.prepare('SELECT count(*) AS n FROM leak').get()).toEqual({ n: 0 });
      expect(check.prepare('SELECT vault_value FROM vault').get()).toEqual({
        vault_value: 'value 0',
      });
      check.close();
    });
  });
}

describe('dataVersion (better-sqlite3)', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('vsa-data-version-');
  });
  afterEach(() => dir.dispose());

  it("changes when another connection commits, not when the store's own batch does", async () => {
    const path = join(dir.path, 'versions.db');
    makeTable(path, vaultTableDdl('vault'), ["'a'", "'b'"]);
    const vault = await openVault(path, { driver: 'better-sqlite3' });
    try {
      const start = await vault.dataVersion();
      const [first] = await collect(vault.streamRecords('vault', {}));
      await vault.writeBatch(
        'vault',
        [{ key: first!.key, expectedValue: first!.value, newValue: 'ours' }],
        UPDATED,
      );
      expect(await vault.dataVersion()).toBe(start);
      const other = new Database(path);
      other.prepare("UPDATE vault SET vault_value = 'theirs' WHERE id = 'b'").run();
      other.close();
      expect(await vault.dataVersion()).not.toBe(start);
    } finally {
      await vault.close();
    }
  });
});
