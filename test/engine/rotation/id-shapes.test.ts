/**
 * Ids the VaultStore library never writes but a foreign writer can, in a
 * table that has a rowid: BLOB ids, invalid UTF-8 text ids, NULL ids,
 * integer ids in an untyped column, duplicated ids. Paging on the id (the
 * code before the coverage proof) looped forever on the first two and
 * silently skipped records on the others; paging on rowid rotates them all,
 * and the coverage proof says every row was visited exactly once.
 * Real SQLite files, real worker pool, tiny preset; two workers give pages of
 * 32 records, so 40+ records span several pages.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import type { RotationResult } from '../../../src/engine/rotation/types.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  ODD_OLD,
  ODD_OTHER,
  createOddVault,
  oddRotationOptions,
  expectOddRotated,
  snapshotRows,
  vaultTableDdl,
  type OddRow,
} from '../../support/odd-vault.js';

/** A test that loops on the old code must fail on its timeout, not hang the suite. */
const TIMEOUT_MS = 90_000;

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-id-shapes-');
});
afterEach(() => dir.dispose());

/** Every 5th record under another password: skipped, left byte-identical. */
function passwordFor(index: number): string {
  return index % 5 === 4 ? ODD_OTHER : ODD_OLD;
}

async function rotateAndCheck(ddl: string, rows: readonly OddRow[]): Promise<RotationResult> {
  const path = join(dir.path, 'odd.db');
  const records = await createOddVault(path, ddl, rows);
  const before = snapshotRows(path);
  const result = await rotateVault(oddRotationOptions(path));
  const old = records.filter((record) => record.password === ODD_OLD).length;
  expect(result).toMatchObject({
    status: 'completed',
    scanned: rows.length,
    rotated: old,
    skipped: rows.length - old,
    failed: 0,
    failures: [],
  });
  expect(result.coverage).toEqual({
    rowsAtStart: rows.length,
    visited: rows.length,
    foreignWrites: false,
  });
  await expectOddRotated(before, snapshotRows(path), records);
  return result;
}

const pad = (n: number): string => String(n).padStart(4, '0');

describe('ids of every shape in a table with a rowid are rotated fully', () => {
  it(
    'BLOB ids (bound as bytes by a foreign writer)',
    async () => {
      const rows = Array.from({ length: 45 }, (_, i) => ({
        // bytes that are not UTF-8 either, unique per row
        id: Buffer.from([0xfe, i, 0xff, 0x00]),
        password: passwordFor(i),
      }));
      await rotateAndCheck(
        vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' }),
        rows,
      );
    },
    TIMEOUT_MS,
  );

  it(
    "invalid UTF-8 text ids (CAST(x'ff..' AS TEXT)) mixed with ordinary ids",
    async () => {
      const rows: OddRow[] = Array.from({ length: 45 }, (_, i) =>
        i % 3 === 0
          ? { id: `id-${pad(i)}`, password: passwordFor(i) }
          : {
              idSql: `CAST(x'ff${i.toString(16).padStart(2, '0')}61' AS TEXT)`,
              password: passwordFor(i),
            },
      );
      await rotateAndCheck(
        vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' }),
        rows,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'several NULL ids mixed with ordinary ids',
    async () => {
      const rows: OddRow[] = Array.from({ length: 45 }, (_, i) => ({
        id: i % 7 === 1 ? null : pad(i),
        password: passwordFor(i),
      }));
      expect(rows.filter((row) => row.id === null).length).toBeGreaterThan(4);
      await rotateAndCheck(vaultTableDdl('vault', { idType: 'text' }), rows);
    },
    TIMEOUT_MS,
  );

  it(
    'integer ids in a column declared without a type, over several pages',
    async () => {
      const rows: OddRow[] = Array.from({ length: 110 }, (_, i) => ({
        id: i + 1,
        password: passwordFor(i),
      }));
      await rotateAndCheck(vaultTableDdl('vault', { idType: '', tail: 'PRIMARY KEY (id)' }), rows);
    },
    TIMEOUT_MS,
  );

  it(
    'duplicate ids in a table without a primary key, pairs straddling page boundaries',
    async () => {
      // Rows in id order; the 32nd and 33rd rows (and the 64th and 65th) share an id, so a
      // page of 32 ends in the middle of each pair.
      const ids: string[] = [];
      for (let i = 0; ids.length < 80; i++) {
        ids.push(pad(i));
        if (ids.length === 32 || ids.length === 64) ids.push(pad(i));
      }
      expect(ids[31]).toBe(ids[32]);
      expect(ids[63]).toBe(ids[64]);
      const rows: OddRow[] = ids.map((id, i) => ({
        id,
        password: i % 5 === 0 ? ODD_OTHER : ODD_OLD,
      }));
      // both rows of each straddling pair are under the old password
      expect([31, 32, 63, 64].map((i) => rows[i]!.password)).toEqual(Array(4).fill(ODD_OLD));
      await rotateAndCheck(vaultTableDdl('vault', { idType: 'text NOT NULL' }), rows);
    },
    TIMEOUT_MS,
  );
});
