/** A vault made by the independent Go implementation, under another table name, is found and counted. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../../../../src/engine/storage/index.js';
import { makeTempDir } from '../../../support/fixtures.js';
import type { TempDir, VaultManifest } from '../../../support/fixtures.js';
import { runVsref, vsrefPath, vsrefSkipReason } from '../../../support/vsref.js';
import {
  DRIVERS,
  compareBinary,
  expectedVersionCounts,
  manifestNow,
  sha256,
} from '../support/sqlite-vaults.js';
import { collect } from '../../../support/collect.js';

describe.skipIf(!vsrefPath)('vsref make-vault with a custom table name', () => {
  let temp: TempDir;
  let path: string;
  let manifest: VaultManifest;

  beforeAll(async () => {
    temp = makeTempDir('vsa-vsref-');
    path = join(temp.path, 'made-by-vsref.db');
    const result = await runVsref([
      'make-vault',
      '-db',
      path,
      '-table',
      'secrets_store',
      '-meta',
      'secrets_store_meta',
      '-n',
      '90',
      '-config',
      'tiny',
      '-spec',
      '60%:Password-A-0123456789,20%:v1:Password-A-0123456789,20%:Password-B-0123456789',
      '-soft-deleted',
      '0.2',
      '-expired',
      '0.15',
      '-seed',
      'storage-suite',
    ]);
    expect(result.code, result.stderr).toBe(0);
    manifest = JSON.parse(readFileSync(`${path}.manifest.json`, 'utf8')) as VaultManifest;
  });
  afterAll(() => temp?.dispose());

  it.each(DRIVERS)('%s: finds the table and counts it as the manifest says', async (driver) => {
    const store = await openVault(path, { driver, readOnly: true });
    try {
      const now = manifestNow(manifest);
      const versions = expectedVersionCounts(manifest);
      expect(await store.vaultTables()).toEqual(['secrets_store']);
      expect((await store.info(now)).tables).toEqual([
        {
          name: 'secrets_store',
          records: manifest.n,
          softDeleted: manifest.soft_deleted,
          expired: manifest.expired,
          v2: versions.v2,
          v1: versions.v1,
          other: 0,
        },
      ]);
      const records = await collect(store.streamRecords('secrets_store', { pageSize: 8, now }));
      expect(records.map((r) => r.id)).toEqual(Object.keys(manifest.records).sort(compareBinary));
      for (const record of records) {
        expect(sha256(record.value)).toBe(manifest.records[record.id]!.value_sha256);
      }
    } finally {
      await store.close();
    }
  });
});

if (!vsrefPath) console.warn(`[skip] vsref-vault.test.ts: ${vsrefSkipReason}`);
