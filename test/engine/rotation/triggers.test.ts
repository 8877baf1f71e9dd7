/**
 * Triggers on the vault table run on every record the rotation rewrites. An
 * audit trigger copies each old-password value into another table; a trigger
 * that reverts updates undoes the rotation. The engine refuses (TRIGGERS,
 * naming them) before anything is written unless triggers are allowed.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import {
  ODD_OLD,
  createOddVault,
  oddRotationOptions,
  expectOddRotated,
  listDir,
  snapshotRows,
  tokensOpeningWith,
  vaultTableDdl,
} from '../../support/odd-vault.js';
import { sha256File } from '../../support/vault-builder.js';

const TIMEOUT_MS = 90_000;
const RECORDS = 40;

const LIBRARY_TABLE = vaultTableDdl('vault', { idType: 'text NOT NULL', tail: 'PRIMARY KEY (id)' });

const AUDIT_TRIGGER = `
  CREATE TABLE audit_copy (old_value TEXT);
  CREATE TRIGGER "copy old values" AFTER UPDATE ON vault
    BEGIN INSERT INTO audit_copy VALUES (OLD.vault_value); END;`;

const REVERT_TRIGGER = `
  CREATE TRIGGER undo_updates AFTER UPDATE OF vault_value ON vault
    BEGIN UPDATE vault SET vault_value = OLD.vault_value WHERE rowid = NEW.rowid; END;`;

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-triggers-');
});
afterEach(() => dir.dispose());

function auditRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM audit_copy').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

async function vaultWith(
  triggerSql: string,
): Promise<{ path: string; records: Awaited<ReturnType<typeof createOddVault>> }> {
  const path = join(dir.path, 'triggers.db');
  const rows = Array.from({ length: RECORDS }, (_, i) => ({
    id: `id-${String(i).padStart(4, '0')}`,
  }));
  const records = await createOddVault(path, `${LIBRARY_TABLE};${triggerSql}`, rows);
  return { path, records };
}

describe('a vault table with triggers', () => {
  it(
    'an audit trigger is refused (TRIGGERS, named), file byte-identical and the audit table empty',
    async () => {
      const { path } = await vaultWith(AUDIT_TRIGGER);
      const hash = sha256File(path);
      const files = listDir(dir.path);
      const error = await rotateVault(oddRotationOptions(path, { backup: true })).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ code: 'TRIGGERS' });
      const message = (error as Error).message;
      expect(message).toContain('"copy old values"');
      expect(message).toContain('Nothing was changed');
      expect(message).toContain('--allow-triggers');
      expect(sha256File(path)).toBe(hash);
      expect(listDir(dir.path)).toEqual(files);
      expect(auditRows(path)).toBe(0);
    },
    TIMEOUT_MS,
  );

  it(
    'with allowTriggers the rotation runs, and the result names the trigger that ran',
    async () => {
      const { path, records } = await vaultWith(AUDIT_TRIGGER);
      const before = snapshotRows(path);
      const result = await rotateVault(oddRotationOptions(path, { allowTriggers: true }));
      expect(result).toMatchObject({ status: 'completed', rotated: RECORDS, failed: 0 });
      expect(result.coverage).toEqual({
        rowsAtStart: RECORDS,
        visited: RECORDS,
        foreignWrites: false,
      });
      expect(result.triggers).toEqual(['copy old values']);
      expect(result.notes?.join(' ')).toContain('copy old values');
      await expectOddRotated(before, snapshotRows(path), records);
      // what the trigger did is what the user allowed: one copy per rotated record
      expect(auditRows(path)).toBe(RECORDS);
    },
    TIMEOUT_MS,
  );

  it(
    'a trigger that reverts updates is refused without allowTriggers, file byte-identical',
    async () => {
      const { path } = await vaultWith(REVERT_TRIGGER);
      const hash = sha256File(path);
      await expect(rotateVault(oddRotationOptions(path))).rejects.toMatchObject({
        code: 'TRIGGERS',
        message: expect.stringContaining('"undo_updates"'),
      });
      expect(sha256File(path)).toBe(hash);
    },
    TIMEOUT_MS,
  );

  // Found by this test: the guarded UPDATE reported one change per record, the trigger then put the
  // old value back, and the run said "completed, rotated 40, failed 0". With allowed triggers the
  // pipeline now reads each written record back after its commit.
  it(
    'a trigger that reverts updates, allowed: never "completed" while records still open with the old password',
    async () => {
      const { path } = await vaultWith(REVERT_TRIGGER);
      const outcome = await rotateVault(oddRotationOptions(path, { allowTriggers: true })).then(
        (result) => ({ result, error: null }),
        (error: unknown) => ({ result: null, error }),
      );
      const stillOld = await tokensOpeningWith(snapshotRows(path), ODD_OLD);
      expect(stillOld.length, 'the trigger undid the rotation').toBe(RECORDS);
      expect(outcome.error).toBeNull();
      expect(outcome.result).toMatchObject({ status: 'incomplete', rotated: 0, failed: RECORDS });
      expect(outcome.result!.failures[0]?.detail).toMatch(
        /trigger on the table changed the record/,
      );
    },
    TIMEOUT_MS,
  );
});
