import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatSqliteDateTime, rotateVault } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  buildVault,
  dumpSchema,
  dumpTable,
  openStoredValue,
  readRows,
  recordMix,
  type BuiltVault,
} from '../../support/vault-builder.js';
import { bytes, tiny } from './support/rotation-checks.js';

const OLD = 'Old-Password-for-mixed-vault';
const OTHER = 'Other-Password-of-the-vault';
const NEW = 'New-Password-for-mixed-vault';
const MALFORMED = ['v2:!!not-base64!!', 'v2:AAAA', '', 'V2:uppercase-prefix-is-v1-and-garbage'];

async function buildMixedVault(path: string): Promise<BuiltVault> {
  const records = recordMix(90, [
    { password: OLD, weight: 4 },
    { password: OLD, softDeleted: true },
    { password: OLD, expired: true },
    { password: OLD, version: 'v1' },
    { password: OLD, version: 'v1', softDeleted: true },
    { password: OTHER, weight: 2 },
    { password: OTHER, version: 'v1' },
    { password: OTHER, softDeleted: true },
  ]);
  records.push(...MALFORMED.map((rawValue) => ({ rawValue })));
  return buildVault(path, {
    records,
    metaRows: 4,
    extraVaultTables: [
      { name: 'vault_archive', records: recordMix(10, [{ password: OLD }, { password: OTHER }]) },
    ],
  });
}

describe('rotateVault on a mixed vault', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('rotates only the old password records of the chosen table and nothing else', async () => {
    const vault = await buildMixedVault(join(dir.path, 'mixed.db'));
    const untouchedBefore = new Map(
      [...vault.otherTables, 'vault_archive'].map((table) => [table, dumpTable(vault.path, table)]),
    );
    const schemaBefore = dumpSchema(vault.path);
    const rowsBefore = readRows(vault.path, 'vault');
    const now = new Date('2026-03-04T05:06:07Z');

    const result = await rotateVault({
      vaultPath: vault.path,
      table: 'vault',
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: tiny,
      backup: false,
      now: () => now,
    });

    const old = vault.records.filter((record) => record.password === OLD);
    const v2Tested = vault.records.filter((record) => record.version === 'v2').length;
    expect(result).toMatchObject({
      status: 'completed',
      scanned: vault.records.length,
      rotated: old.length,
      skipped: vault.records.length - old.length - MALFORMED.length,
      failed: MALFORMED.length,
      // malformed values cost nothing; v1 opens without Argon2id
      derivations: v2Tested + old.length,
    });
    expect(result.failures.map((failure) => failure.reason)).toEqual(
      Array(MALFORMED.length).fill('malformed'),
    );
    expect(new Set(result.failures.map((failure) => failure.id))).toEqual(
      new Set(
        vault.records.filter((record) => record.version === 'raw').map((record) => record.id),
      ),
    );

    const rows = readRows(vault.path, 'vault');
    for (const record of vault.records) {
      const row = rows.get(record.id)!;
      const before = rowsBefore.get(record.id)!;
      if (record.password !== OLD) {
        expect(row, `${record.id} untouched`).toEqual(before);
        continue;
      }
      // Only vault_value and updated_at change.
      expect({ ...row, vault_value: '', updated_at: '' }).toEqual({
        ...before,
        vault_value: '',
        updated_at: '',
      });
      expect(row.updated_at).toBe(formatSqliteDateTime(now));
      expect(row.vault_value.startsWith('v2:')).toBe(true);
      const opened = await openStoredValue(row.vault_value, NEW, tiny);
      expect(opened.ok && opened.plaintext.equals(record.plaintext!), record.id).toBe(true);
    }
    for (const [table, dump] of untouchedBefore)
      expect(dumpTable(vault.path, table), table).toBe(dump);
    expect(dumpSchema(vault.path)).toBe(schemaBefore);
  });

  it('asks which table when the file holds several and none is given', async () => {
    const vault = await buildMixedVault(join(dir.path, 'mixed.db'));
    await expect(
      rotateVault({
        vaultPath: vault.path,
        oldPassword: bytes(OLD),
        newPassword: bytes(NEW),
        openConfig: tiny,
      }),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/vault, vault_archive.*--table/s),
    });
  });

  it('rotates a second vault table of the same file on its own', async () => {
    const vault = await buildMixedVault(join(dir.path, 'mixed.db'));
    const mainBefore = dumpTable(vault.path, 'vault');
    const result = await rotateVault({
      vaultPath: vault.path,
      table: 'vault_archive',
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: tiny,
      backup: false,
    });
    const archive = vault.extraTables.vault_archive!;
    expect(result).toMatchObject({
      status: 'completed',
      table: 'vault_archive',
      rotated: archive.filter((record) => record.password === OLD).length,
    });
    expect(dumpTable(vault.path, 'vault')).toBe(mainBefore);
  });
});
