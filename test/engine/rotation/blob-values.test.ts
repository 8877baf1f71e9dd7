/**
 * Values a foreign writer stored as BLOBs (the UTF-8 bytes of a v2 value).
 * The engine reads them as text; its write guard must compare the stored
 * value as text too (CAST), or every guarded write would "fail" as if
 * another program had changed the record.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
} from '../../support/odd-vault.js';
import { bytes, tiny } from './support/rotation-checks.js';

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-blob-values-');
});
afterEach(() => dir.dispose());

function blobValues(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(
      (
        db.prepare("SELECT count(*) AS n FROM vault WHERE typeof(vault_value) = 'blob'").get() as {
          n: number;
        }
      ).n,
    );
  } finally {
    db.close();
  }
}

describe('values stored as BLOBs', () => {
  it('are rotated (the guarded write compares them as text)', async () => {
    const path = join(dir.path, 'blob-values.db');
    const records = await createOddVault(
      path,
      vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' }),
      Array.from({ length: 40 }, (_, i) => ({ id: `id-${i}`, valueAsBlob: i % 4 !== 0 })),
    );
    expect(blobValues(path)).toBe(30);
    const before = snapshotRows(path);
    const result = await rotateVault({
      vaultPath: path,
      oldPassword: bytes(ODD_OLD),
      newPassword: bytes(ODD_NEW),
      openConfig: tiny,
      workers: 2,
      backup: false,
    });
    expect(result).toMatchObject({ status: 'completed', rotated: 40, failed: 0, failures: [] });
    expect(result.coverage).toEqual({ rowsAtStart: 40, visited: 40, foreignWrites: false });
    await expectOddRotated(before, snapshotRows(path), records);
    expect(blobValues(path)).toBe(0);
  });
});
