/**
 * One "now" for the whole run: whether a record counts as soft-deleted is
 * decided once, when the rows in scope are counted, and every page is read
 * with that same "now". With a clock that advances on every reading, records
 * soft-deleted between the first reading and later ones must still be
 * visited (they were live when the run started), so the coverage proof holds.
 * Reading "now" again per page (or per reader) skips them: visited < rows at
 * start, which the engine refuses to call completed.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  ODD_NEW,
  ODD_OLD,
  createOddVault,
  expectOddRotated,
  snapshotRows,
  vaultTableDdl,
  type OddRow,
} from '../../support/odd-vault.js';
import { NEVER } from '../../support/vault-builder.js';
import { bytes, tiny } from './support/rotation-checks.js';

const START = Date.parse('2020-01-01T00:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
/** after the run's first reading of the clock, before its second (and long before the real now) */
const BETWEEN_READINGS = '2020-01-01 12:00:00';
const BEFORE_START = '2019-06-01 00:00:00';

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-fixed-now-');
});
afterEach(() => dir.dispose());

describe('rotateVault without soft-deleted records and a clock that moves', () => {
  it('visits every record live at the start, on every page, and completes', async () => {
    const rows: OddRow[] = Array.from({ length: 100 }, (_, i) => ({
      id: `id-${String(i).padStart(4, '0')}`,
      softDeletedAt: i % 7 === 3 ? BEFORE_START : i % 3 === 1 ? BETWEEN_READINGS : NEVER,
    }));
    const path = join(dir.path, 'moving-clock.db');
    const records = await createOddVault(
      path,
      vaultTableDdl('vault', { tail: 'PRIMARY KEY (id)' }),
      rows,
    );
    const live = records.filter((_, i) => rows[i]!.softDeletedAt !== BEFORE_START);
    const deletedBefore = records.filter((_, i) => rows[i]!.softDeletedAt === BEFORE_START);
    // records soft-deleted between readings on every page of 32
    for (const page of [0, 1, 2, 3]) {
      const onPage = rows.slice(page * 32, page * 32 + 32);
      expect(
        onPage.some((row) => row.softDeletedAt === BETWEEN_READINGS),
        `page ${page}`,
      ).toBe(true);
    }

    let readings = 0;
    const before = snapshotRows(path);
    const result = await rotateVault({
      vaultPath: path,
      oldPassword: bytes(ODD_OLD),
      newPassword: bytes(ODD_NEW),
      openConfig: tiny,
      workers: 2,
      backup: false,
      includeSoftDeleted: false,
      now: () => new Date(START + DAY_MS * readings++),
    });
    expect(readings).toBeGreaterThan(2);
    expect(result).toMatchObject({
      status: 'completed',
      scanned: live.length,
      rotated: live.length,
      skipped: 0,
      failed: 0,
    });
    expect(result.coverage).toEqual({
      rowsAtStart: live.length,
      visited: live.length,
      foreignWrites: false,
    });
    const after = snapshotRows(path);
    await expectOddRotated(before, after, live);
    for (const record of deletedBefore)
      expect(after.get(record.token)).toEqual(before.get(record.token));
  });
});
