/**
 * The storage contract: the same driver-independent checks, with the same
 * assertions, on all four drivers behind the VaultStore interface
 * (better-sqlite3, sql.js, PostgreSQL, MariaDB). Each driver is reached
 * through a small adapter (support/driver-adapters.ts) that makes a vault with the
 * library's DDL and reads and changes it from outside the store.
 * Driver-specific behaviour (rowid edge cases, collations, datetime column
 * types, TLS, file locking, connection faults) stays in the per-driver files.
 *
 * Record order is the driver's own (rowid for SQLite, the id column's
 * collation on a server): the checks compare against the order the store
 * and the database report, never a JavaScript sort.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { classifyStoredValue, openVault } from '../../../../src/engine/storage/index.js';
import type { VaultRecord, VaultStore } from '../../../../src/engine/storage/index.js';
import { collect } from '../../../support/collect.js';
// Imported here, in the test file itself: the servers' global setup starts them for files that do.
import { serverUnavailable } from '../../../support/servers/index.js';
import {
  CONTRACT_ADAPTERS,
  type ContractAdapter,
  type ContractRecord,
  type ContractVault,
  type RawRow,
} from './support/driver-adapters.js';
import { expectEngineError } from '../support/sqlite-vaults.js';

const NOW = new Date('2030-06-01T12:00:00Z');
const NOW_TEXT = '2030-06-01 12:00:00';
const NEVER = '9999-12-31 23:59:59';
const PAST = '2020-01-01 00:00:00';
const LATER = '2031-01-01 00:00:00';
const UPDATED_AT = '2031-02-03 04:05:06';

/** Ids distinct in every driver's collation (case-insensitive on MariaDB), not inserted in any sorted order. */
const IDS = [
  'm',
  'B',
  '10',
  'a',
  '9',
  'zed',
  'a b',
  '_u',
  'ab',
  'x-y',
  'C3',
  '0',
  'rec-07',
  'rec-2',
  'Q',
  'k.1',
  'yy',
  'é1',
  'n',
  'd',
];

/** Every value kind as value-kind.ts classifies it, and a few large ones for byte-bounded pages. */
function valueFor(index: number): string {
  switch (index % 7) {
    case 0:
      return `v2:payload-${index}-${'A'.repeat(index * 40)}`;
    case 1:
      return `QUJDREVG${index}_-==`;
    case 2:
      return `QUJD\r\nREVG${index}`;
    case 3:
      return `not v1 + ${index}`;
    case 4:
      return index === 4 ? '' : `V2:upper-${index}`;
    case 5:
      return `v2é:${index}`;
    default:
      return `v2:${index}`;
  }
}

/** soft-deleted long ago, exactly at "now" (counts as deleted), later than now, or never */
const softDeletedAt = (i: number): string => [NEVER, PAST, NOW_TEXT, LATER][i % 4]!;
const expiresAt = (i: number): string => [NEVER, NEVER, PAST, NOW_TEXT, LATER][i % 5]!;

const RECORDS: readonly ContractRecord[] = IDS.map((id, i) => ({
  id,
  token: `tok-${i}`,
  value: valueFor(i),
  createdAt: '2025-01-02 03:04:05',
  updatedAt: '2025-02-03 04:05:06',
  expiresAt: expiresAt(i),
  softDeletedAt: softDeletedAt(i),
}));
const isSoftDeleted = (record: ContractRecord): boolean => record.softDeletedAt <= NOW_TEXT;
const RECORD_BY_ID = new Map(RECORDS.map((record) => [record.id, record]));

function expectedInfo(name = 'vault') {
  const kinds = RECORDS.map((record) => classifyStoredValue(record.value));
  return {
    name,
    records: RECORDS.length,
    softDeleted: RECORDS.filter(isSoftDeleted).length,
    expired: RECORDS.filter((record) => record.expiresAt <= NOW_TEXT).length,
    v2: kinds.filter((kind) => kind === 'v2').length,
    v1: kinds.filter((kind) => kind === 'v1').length,
    other: kinds.filter((kind) => kind === 'other').length,
  };
}

const bytesOf = (record: VaultRecord): number => Buffer.byteLength(record.value, 'utf8');

/** Every page from the first, asserting each page's bounds; the records in the order read. */
async function readAllPages(
  store: VaultStore,
  options: {
    limit: number;
    maxBytes?: number;
    includeSoftDeleted?: boolean;
    afterKey?: string | null;
    upToKey?: string | null;
  },
): Promise<VaultRecord[]> {
  const all: VaultRecord[] = [];
  let afterKey: string | null = options.afterKey ?? null;
  for (let pages = 0; pages <= RECORDS.length + 1; pages++) {
    const page = await store.readRecords('vault', { ...options, afterKey, now: NOW });
    expect(page.length).toBeLessThanOrEqual(options.limit);
    if (options.maxBytes !== undefined && page.length > 1) {
      expect(page.reduce((sum, record) => sum + bytesOf(record), 0)).toBeLessThanOrEqual(
        options.maxBytes,
      );
    }
    if (page.length === 0) return all;
    all.push(...page);
    afterKey = page[page.length - 1]!.key;
  }
  throw new Error('paging did not end: a page repeated');
}

const keysOf = (records: readonly VaultRecord[]): string[] => records.map((record) => record.key);

function withChanges(
  rows: ReadonlyMap<string, RawRow>,
  changes: Readonly<Record<string, Partial<RawRow>>>,
): Map<string, RawRow> {
  return new Map(
    [...rows].map(([id, row]) => [id, changes[id] ? { ...row, ...changes[id] } : row]),
  );
}

describe.each(CONTRACT_ADAPTERS.map((adapter) => [adapter.driver, adapter] as const))(
  'VaultStore contract: %s',
  (_name, adapter: ContractAdapter) => {
    // printed once per server; under CI a missing server fails instead (test/support/servers)
    const skip = adapter.server === null ? null : serverUnavailable(adapter.server);

    describe.skipIf(skip !== null)('reading', () => {
      let vault: ContractVault;
      let store: VaultStore;
      /** every record in the store's own order: one page holding them all */
      let ordered: VaultRecord[];

      beforeAll(async () => {
        vault = await adapter.createVault(RECORDS);
        store = await vault.open({ readOnly: true });
        ordered = await store.readRecords('vault', { limit: 1000, now: NOW });
      });
      afterAll(async () => {
        await vault?.dispose();
      });

      it('names its driver and counts records, soft-deleted, expired and each value kind', async () => {
        expect(store.driver).toBe(adapter.driver);
        expect(store.readOnly).toBe(true);
        const info = await store.info(NOW);
        expect(info.driver).toBe(adapter.driver);
        expect(info.tables).toEqual([expectedInfo(adapter.tableName)]);
        // the fixture exercises every count
        expect(Object.values(expectedInfo()).every((n) => n !== 0)).toBe(true);
        // a second before "now", the records soft-deleted at "now" are not deleted yet
        const before = (await store.info(new Date(NOW.getTime() - 1000))).tables[0]!;
        const atNow = RECORDS.filter((record) => record.softDeletedAt === NOW_TEXT).length;
        expect(atNow).toBeGreaterThan(0);
        expect(before.softDeleted).toBe(expectedInfo().softDeleted - atNow);
      });

      it('finds the vault table; TABLE_NOT_FOUND and MISSING_COLUMNS say which to pick', async () => {
        expect(await store.vaultTables()).toEqual([adapter.tableName]);
        // either name finds it; a store with schema-qualified names gives its own
        for (const name of ['vault', adapter.tableName]) {
          expect((await store.assertVaultTable(name)) ?? name).toBe(adapter.tableName);
        }
        const notFound = await expectEngineError(
          () => store.assertVaultTable('no_such_table'),
          'TABLE_NOT_FOUND',
          /no_such_table/,
        );
        expect(notFound.message).toContain('vault');
        await expectEngineError(
          () => store.assertVaultTable('vault_meta'),
          'MISSING_COLUMNS',
          /vault_token/,
        );
        await expectEngineError(
          () => store.readRecords('no_such_table', { limit: 1 }),
          'TABLE_NOT_FOUND',
          /no_such_table/,
        );
      });

      it('one page holds every record once, in the database key order, with value and flag', async () => {
        expect(ordered).toHaveLength(RECORDS.length);
        expect(new Set(keysOf(ordered)).size).toBe(RECORDS.length);
        expect(ordered.map((record) => record.id)).toEqual(await vault.idsInKeyOrderOutside());
        for (const record of ordered) {
          const stored = RECORD_BY_ID.get(record.id)!;
          expect(record).toEqual({
            key: record.key,
            id: stored.id,
            value: stored.value,
            softDeleted: isSoftDeleted(stored),
          });
        }
        // what a key is follows keyKind: a rowid (decimal integer) or the id itself
        const kind = await store.keyKind('vault');
        for (const record of ordered) {
          if (kind === 'rowid') expect(record.key).toMatch(/^-?\d+$/);
          else expect(record.key).toBe(record.id);
        }
        await expect(store.assertPageable('vault')).resolves.toBeUndefined();
      });

      it('counts with and without soft-deleted records, and after a key', async () => {
        expect(await store.countRecords('vault')).toBe(RECORDS.length);
        expect(await store.countRecords('vault', { now: NOW, includeSoftDeleted: false })).toBe(
          RECORDS.filter((record) => !isSoftDeleted(record)).length,
        );
        for (const index of [0, 1, 7, RECORDS.length - 2, RECORDS.length - 1]) {
          const afterKey = ordered[index]!.key;
          expect(await store.countRecords('vault', { afterKey })).toBe(RECORDS.length - index - 1);
          expect(
            await store.countRecords('vault', { afterKey, now: NOW, includeSoftDeleted: false }),
          ).toBe(ordered.slice(index + 1).filter((record) => !record.softDeleted).length);
        }
      });

      it('an upper key bounds pages and counts: the half-open range (afterKey, upToKey]', async () => {
        const at = (index: number): string => ordered[index]!.key;
        for (const [lo, hi] of [
          [null, 0],
          [0, 1],
          [2, 9],
          [null, RECORDS.length - 1],
          [RECORDS.length - 3, RECORDS.length - 1],
        ] as const) {
          const afterKey = lo === null ? null : at(lo);
          const upToKey = at(hi);
          const expected = ordered.slice(lo === null ? 0 : lo + 1, hi + 1);
          expect(keysOf(await readAllPages(store, { limit: 3, afterKey, upToKey }))).toEqual(
            keysOf(expected),
          );
          expect(await store.countRecords('vault', { afterKey, upToKey })).toBe(expected.length);
          expect(
            await store.countRecords('vault', {
              afterKey,
              upToKey,
              now: NOW,
              includeSoftDeleted: false,
            }),
          ).toBe(expected.filter((record) => !record.softDeleted).length);
        }
      });

      it.each([1, 2, 3, 7, 19, 20, 100])(
        'pages of %i visit every record exactly once, in the store order',
        async (limit) => {
          expect(keysOf(await readAllPages(store, { limit }))).toEqual(keysOf(ordered));
          expect(
            keysOf(await collect(store.streamRecords('vault', { pageSize: limit, now: NOW }))),
          ).toEqual(keysOf(ordered));
          const live = keysOf(ordered.filter((record) => !record.softDeleted));
          expect(keysOf(await readAllPages(store, { limit, includeSoftDeleted: false }))).toEqual(
            live,
          );
          expect(
            keysOf(
              await collect(
                store.streamRecords('vault', {
                  pageSize: limit,
                  now: NOW,
                  includeSoftDeleted: false,
                }),
              ),
            ),
          ).toEqual(live);
        },
      );

      it('bounds pages by value bytes (at least one record) and still visits every record once', async () => {
        // Records are taken while their values add up to at most maxBytes (an empty value always fits).
        const fitting = (rest: readonly VaultRecord[], maxBytes: number, limit: number) => {
          let count = 0;
          let bytes = 0;
          for (const record of rest.slice(0, limit)) {
            bytes += bytesOf(record);
            if (count > 0 && bytes > maxBytes) break;
            count++;
          }
          return rest.slice(0, count);
        };
        const largest = Math.max(...ordered.map(bytesOf));
        const firstTwo = bytesOf(ordered[0]!) + bytesOf(ordered[1]!);
        for (const maxBytes of [1, 30, firstTwo, 200, largest, largest * 3]) {
          for (const limit of [1, 3, 100]) {
            let afterKey: string | null = null;
            let rest = ordered;
            while (rest.length > 0) {
              const page = await store.readRecords('vault', {
                afterKey,
                limit,
                maxBytes,
                now: NOW,
              });
              expect(keysOf(page), `maxBytes ${maxBytes}, limit ${limit}`).toEqual(
                keysOf(fitting(rest, maxBytes, limit)),
              );
              rest = rest.slice(page.length);
              afterKey = page.at(-1)!.key;
            }
            expect(await store.readRecords('vault', { afterKey, limit, maxBytes })).toEqual([]);
            expect(keysOf(await readAllPages(store, { limit, maxBytes }))).toEqual(keysOf(ordered));
          }
        }
        // the bound is met exactly somewhere, and a one-byte bound still makes progress
        expect(fitting(ordered, firstTwo, 100).length).toBeGreaterThanOrEqual(2);
        expect(keysOf(fitting(ordered, 1, 100))).toEqual([ordered[0]!.key]);
      });

      it('reads one record by key; null when soft-deleted is excluded or the key is gone', async () => {
        for (const record of ordered) {
          expect(await store.readRecord('vault', record.key, { now: NOW })).toEqual(record);
          expect(
            await store.readRecord('vault', record.key, { now: NOW, includeSoftDeleted: false }),
          ).toEqual(record.softDeleted ? null : record);
        }
        const missing = (await store.keyKind('vault')) === 'rowid' ? '987654321' : 'no-such-id';
        expect(await store.readRecord('vault', missing)).toBeNull();
      });

      it('samples distinct existing records, filtered by value kind as info() counts', async () => {
        const byKey = new Map(ordered.map((record) => [record.key, record]));
        const sample = await store.sampleRecords('vault', 5, { now: NOW });
        expect(sample).toHaveLength(5);
        expect(new Set(keysOf(sample)).size).toBe(5);
        for (const record of sample) expect(record).toEqual(byKey.get(record.key));
        const everything = await store.sampleRecords('vault', RECORDS.length + 10, { now: NOW });
        expect(new Set(keysOf(everything))).toEqual(new Set(keysOf(ordered)));
        expect(everything).toHaveLength(RECORDS.length);
        for (const kind of ['v2', 'v1'] as const) {
          const picked = await store.sampleRecords('vault', 100, { valueKind: kind, now: NOW });
          const expected = ordered.filter((record) => classifyStoredValue(record.value) === kind);
          expect(new Set(keysOf(picked))).toEqual(new Set(keysOf(expected)));
          expect(picked).toHaveLength(expected.length);
        }
        const live = await store.sampleRecords('vault', 100, {
          now: NOW,
          includeSoftDeleted: false,
        });
        expect(new Set(keysOf(live))).toEqual(
          new Set(keysOf(ordered.filter((record) => !record.softDeleted))),
        );
        expect(await store.sampleRecords('vault', 0)).toEqual([]);
        expect(await store.sampleRecords('vault', 0, { valueKind: 'v2' })).toEqual([]);
      });
    });

    describe.skipIf(skip !== null)('writing and the rest', () => {
      let vault: ContractVault | undefined;
      const fresh = async (): Promise<ContractVault> =>
        (vault = await adapter.createVault(RECORDS));
      afterEach(async () => {
        await vault?.dispose();
        vault = undefined;
      });

      it('writeBatch changes only vault_value and updated_at of the records asked', async () => {
        const v = await fresh();
        const store = await v.open();
        const before = await v.rowsOutside();
        const all = await store.readRecords('vault', { limit: 100, now: NOW });
        const chosen = [all[0]!, all[5]!, all[all.length - 1]!];
        const result = await store.writeBatch(
          'vault',
          chosen.map((record, i) => ({
            key: record.key,
            expectedValue: record.value,
            newValue: `v2:rotated-${i}`,
          })),
          UPDATED_AT,
        );
        expect(result).toEqual({ written: keysOf(chosen), guardFailed: [] });
        const changes = Object.fromEntries(
          chosen.map((record, i) => [
            record.id,
            { vault_value: `v2:rotated-${i}`, updated_at: UPDATED_AT },
          ]),
        );
        expect(await v.rowsOutside()).toEqual(withChanges(before, changes));
        // the store reads its own writes
        for (const [i, record] of chosen.entries()) {
          expect((await store.readRecord('vault', record.key))?.value).toBe(`v2:rotated-${i}`);
        }
      });

      it('a guard fails when another session changed the value; that change stays', async () => {
        const v = await fresh();
        let store = await v.open();
        const [a, b, c] = (await store.readRecords('vault', { limit: 3, now: NOW })) as [
          VaultRecord,
          VaultRecord,
          VaultRecord,
        ];
        await v.setValueOutside(b.id, 'v2:changed-by-another-program');
        const changed = await v.rowsOutside();
        expect(changed.get(b.id)?.vault_value).toBe('v2:changed-by-another-program');
        const batch = [a, b, c].map((record) => ({
          key: record.key,
          expectedValue: record.value,
          newValue: `v2:new-${record.key}`,
        }));
        if (adapter.readsSnapshot) {
          // a copy in memory cannot see the change: it refuses rather than overwrite it
          await expectEngineError(
            () => store.writeBatch('vault', batch, UPDATED_AT),
            'FILE_CHANGED',
            /open the vault again/i,
          );
          expect(await v.rowsOutside()).toEqual(changed);
          store = await v.open();
        }
        expect(await store.writeBatch('vault', batch, UPDATED_AT)).toEqual({
          written: [a.key, c.key],
          guardFailed: [b.key],
        });
        expect(await v.rowsOutside()).toEqual(
          withChanges(changed, {
            [a.id]: { vault_value: `v2:new-${a.key}`, updated_at: UPDATED_AT },
            [c.id]: { vault_value: `v2:new-${c.key}`, updated_at: UPDATED_AT },
          }),
        );
      });

      it('an empty batch, or one whose guards all fail, changes nothing', async () => {
        const v = await fresh();
        const store = await v.open();
        const before = await v.rowsOutside();
        expect(await store.writeBatch('vault', [], UPDATED_AT)).toEqual({
          written: [],
          guardFailed: [],
        });
        const [record] = await store.readRecords('vault', { limit: 1 });
        expect(
          await store.writeBatch(
            'vault',
            [{ key: record!.key, expectedValue: `${record!.value}stale`, newValue: 'v2:x' }],
            UPDATED_AT,
          ),
        ).toEqual({ written: [], guardFailed: [record!.key] });
        expect(await v.rowsOutside()).toEqual(before);
      });

      it('a read-only store refuses writeBatch with READ_ONLY and writes nothing', async () => {
        const v = await fresh();
        const store = await v.open({ readOnly: true });
        expect(store.readOnly).toBe(true);
        const before = await v.rowsOutside();
        const [record] = await store.readRecords('vault', { limit: 1 });
        await expectEngineError(
          () =>
            store.writeBatch(
              'vault',
              [{ key: record!.key, expectedValue: record!.value, newValue: 'v2:x' }],
              UPDATED_AT,
            ),
          'READ_ONLY',
          /read-only/i,
        );
        expect(await v.rowsOutside()).toEqual(before);
      });

      it('triggersOn lists a trigger made by another program', async () => {
        const v = await fresh();
        expect(await (await v.open({ readOnly: true })).triggersOn('vault')).toEqual([]);
        await v.createTriggerOutside('vault_contract_audit');
        // opened after the trigger exists: sql.js reads a copy of the file taken at open
        expect(await (await v.open({ readOnly: true })).triggersOn('vault')).toEqual([
          'vault_contract_audit',
        ]);
      });

      it('backupTo writes a SQLite file that openVault reads, holding the same records', async () => {
        const v = await fresh();
        const store = await v.open();
        // a written batch is in the backup too
        const [first] = await store.readRecords('vault', { limit: 1 });
        await store.writeBatch(
          'vault',
          [{ key: first!.key, expectedValue: first!.value, newValue: 'v2:before-backup' }],
          UPDATED_AT,
        );
        const destination = join(v.scratchFolder, 'backup.sqlite');
        await store.backupTo(destination, 'vault');
        const backup = await openVault(destination, { readOnly: true });
        try {
          expect(await backup.vaultTables()).toEqual(['vault']);
          // the backup file holds the table under its own name (no schema in SQLite)
          expect((await backup.info(NOW)).tables).toEqual(
            (await store.info(NOW)).tables.map((table) => ({ ...table, name: 'vault' })),
          );
          const summary = (records: readonly VaultRecord[]) =>
            new Map(records.map(({ id, value, softDeleted }) => [id, { value, softDeleted }]));
          expect(summary(await collect(backup.streamRecords('vault', { now: NOW })))).toEqual(
            summary(await collect(store.streamRecords('vault', { now: NOW }))),
          );
        } finally {
          await backup.close();
        }
        // every column, read from outside, as the source holds it
        const sqlite = new Database(destination, { readonly: true, fileMustExist: true });
        try {
          const rows = sqlite
            .prepare(
              'SELECT id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at FROM vault',
            )
            .all() as RawRow[];
          expect(new Map(rows.map((row) => [row.id, row]))).toEqual(await v.rowsOutside());
        } finally {
          sqlite.close();
        }
      });

      it('close() twice is harmless', async () => {
        const v = await fresh();
        const store = await v.open();
        expect(await store.countRecords('vault')).toBe(RECORDS.length);
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  },
);
