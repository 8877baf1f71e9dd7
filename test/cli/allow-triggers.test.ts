/**
 * The built CLI on a vault whose table has an audit trigger: `rotate`
 * refuses (non-zero exit, the trigger named, the file byte-identical);
 * `rotate --allow-triggers` rotates and says the trigger ran.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  ODD_NEW,
  ODD_OLD,
  createOddVault,
  expectOddRotated,
  snapshotRows,
  vaultTableDdl,
} from '../support/odd-vault.js';
import { sha256File } from '../support/vault-builder.js';
import { buildCliForTest, expectNoSecret, runCli, type BuiltCli } from '../support/cli.js';

const RECORDS = 12;
const TRIGGER = 'audit_vault_updates';

let cli: BuiltCli;
let temp: TempDir;
let oldFile: string;
let newFile: string;

beforeAll(async () => {
  cli = await buildCliForTest('allow-triggers');
});
afterAll(() => cli?.dispose());

beforeEach(() => {
  temp = makeTempDir('vsa-cli-triggers-');
  oldFile = join(temp.path, 'old.txt');
  newFile = join(temp.path, 'new.txt');
  writeFileSync(oldFile, ODD_OLD);
  writeFileSync(newFile, ODD_NEW);
});
afterEach(() => temp.dispose());

describe('rotate on a vault table with a trigger', () => {
  it('refuses without --allow-triggers (trigger named, file unchanged) and rotates with it', async () => {
    const path = join(temp.path, 'vault.db');
    const records = await createOddVault(
      path,
      `${vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' })};
       CREATE TABLE audit_copy (old_value TEXT);
       CREATE TRIGGER ${TRIGGER} AFTER UPDATE ON vault BEGIN INSERT INTO audit_copy VALUES (OLD.vault_value); END;`,
      Array.from({ length: RECORDS }, (_, i) => ({ id: `id-${i}` })),
    );
    const hash = sha256File(path);
    const before = snapshotRows(path);
    const passwords = ['--old-password-file', oldFile, '--new-password-file', newFile];

    const refused = await runCli(
      cli.entry,
      ['rotate', path, '--crypto', 'tiny', '--no-backup', ...passwords],
      {
        cwd: temp.path,
      },
    );
    expect(expectNoSecret(refused, [ODD_OLD, ODD_NEW])).toEqual([]);
    expect(refused.code, refused.stderr).not.toBe(0);
    expect(refused.stderr).toContain(TRIGGER);
    expect(refused.stderr).toContain('--allow-triggers');
    expect(sha256File(path)).toBe(hash);

    const allowed = await runCli(
      cli.entry,
      ['rotate', path, '--crypto', 'tiny', '--no-backup', '--allow-triggers', ...passwords],
      { cwd: temp.path },
    );
    expect(expectNoSecret(allowed, [ODD_OLD, ODD_NEW])).toEqual([]);
    expect(allowed.code, allowed.stderr).toBe(0);
    // the report's notes say the trigger ran on every rotated record
    expect(allowed.stdout).toContain(`trigger(s) ran on every rotated record: ${TRIGGER}`);
    await expectOddRotated(before, snapshotRows(path), records);
  });
});
