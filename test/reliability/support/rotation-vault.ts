/**
 * The vault the reliability tests attack, and the checks run on it after a
 * crash, a kill or a fight with another writer: nothing lost, nothing
 * duplicated, nothing torn, nothing outside the rotation touched.
 *
 * A vault is built once per test file (a template) and copied per trial.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../../src/core/argon2.js';
import { openValue } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import {
  buildVault,
  dumpSchema,
  dumpTable,
  readRows,
  recordMix,
  sha256,
  type BuiltRecord,
  type BuiltVault,
  type RecordSpec,
  type StoredRow,
} from '../../support/vault-builder.js';
import { OLD_PASSWORD, OTHER_PASSWORD } from '../../support/passwords.js';

export const tiny: Argon2Config = ARGON2_PRESETS.tiny;

/** Per 20 records: what a real vault mixes (v1 leftovers, other passwords, soft-deleted, expired). */
export const STANDARD_MIX: readonly (RecordSpec & { weight?: number })[] = [
  { password: OLD_PASSWORD, weight: 12 },
  { password: OLD_PASSWORD, version: 'v1', weight: 2 },
  { password: OTHER_PASSWORD, weight: 3 },
  { password: OTHER_PASSWORD, version: 'v1' },
  { password: OLD_PASSWORD, softDeleted: true },
  { password: OLD_PASSWORD, expired: true },
];

/** A built vault plus the state of everything a rotation must not touch. */
export interface VaultTemplate extends BuiltVault {
  readonly byId: ReadonlyMap<string, BuiltRecord>;
  /** records a full rotation from OLD_PASSWORD rewrites (soft-deleted included) */
  readonly rotatable: number;
  /** table name -> dump of every non-records table, and the schema */
  readonly untouched: Readonly<Record<string, string>>;
}

export async function buildTemplate(
  dir: string,
  count: number,
  mix: readonly (RecordSpec & { weight?: number })[] = STANDARD_MIX,
): Promise<VaultTemplate> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'template.db');
  // No meta rows: vsref's manifest check of the meta table then compares an empty table.
  const built = await buildVault(path, { records: recordMix(count, mix), metaRows: 0 });
  writeVsrefManifest(built, `${path}.manifest.json`);
  const untouched: Record<string, string> = { '(schema)': dumpSchema(path) };
  for (const table of built.otherTables) untouched[table] = dumpTable(path, table);
  return {
    ...built,
    byId: new Map(built.records.map((record) => [record.id, record])),
    rotatable: built.records.filter((record) => record.password === OLD_PASSWORD).length,
    untouched,
  };
}

/** A fresh copy of the template (and its manifest) as `<dir>/<name>.db`. */
export function copyTemplate(template: VaultTemplate, dir: string, name = 'vault'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.db`);
  copyFileSync(template.path, path);
  copyFileSync(`${template.path}.manifest.json`, `${path}.manifest.json`);
  return path;
}

const CREATED = '2025-01-01 00:00:00';
const UPDATED = '2025-01-02 03:04:05';
const PAST = '2025-06-01 00:00:00';
const NEVER = '9999-12-31 23:59:59';

/** The manifest `vsref verify` reads (same schema as `vsref make-vault` writes). */
function writeVsrefManifest(vault: BuiltVault, manifestPath: string): void {
  const records: Record<string, unknown> = {};
  for (const record of vault.records) {
    records[record.id] = {
      token: record.token,
      password: record.password ?? '',
      version: record.version === 'raw' ? 'v2' : record.version,
      plaintext_sha256: sha256(record.plaintext ?? Buffer.alloc(0)),
      plaintext_len: record.plaintext?.length ?? 0,
      soft_deleted: record.softDeleted,
      expired: record.expired,
      value_sha256: sha256(record.value),
      created_at: CREATED,
      updated_at: UPDATED,
      expires_at: record.expired ? PAST : NEVER,
      soft_deleted_at: record.softDeleted ? PAST : NEVER,
    };
  }
  const manifest = {
    format: 'vsref-vault-manifest',
    schema_version: 1,
    generator: 'test/reliability (vault-builder)',
    db: basename(vault.path),
    table: vault.table,
    meta_table: vault.metaTable,
    config: {
      name: 'tiny',
      iterations: vault.config.iterations,
      memory_kib: vault.config.memoryKiB,
      parallelism: vault.config.parallelism,
      key_length: 32,
      salt_size: 16,
      nonce_size: 12,
      tag_size: 16,
    },
    n: vault.records.length,
    meta_rows: 0,
    meta_sha256: sha256(''),
    records,
  };
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

/**
 * A copy of the vault as SQLite would see it on next open: the file and, if
 * a killed writer left one, its hot journal. Opening the copy read-write
 * rolls the journal back there, so the original stays as the crash left it
 * (for the resumed run to recover itself).
 */
export function recoveredCopy(path: string, scratchDir: string): string {
  mkdirSync(scratchDir, { recursive: true });
  const copy = join(scratchDir, `${basename(path)}.after-crash.db`);
  for (const suffix of ['', '-journal', '-wal']) rmSync(`${copy}${suffix}`, { force: true });
  copyFileSync(path, copy);
  for (const suffix of ['-journal', '-wal']) {
    if (existsSync(`${path}${suffix}`)) copyFileSync(`${path}${suffix}`, `${copy}${suffix}`);
  }
  return copy;
}

/** PRAGMA integrity_check after SQLite's recovery: opens read-write, so a hot journal is rolled back first. */
export function recoverAndCheckIntegrity(path: string): string {
  // Read-write: a hot journal must be rolled back before the file can be judged.
  const db = new Database(path, { fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join('\n');
  } finally {
    db.close();
  }
}

function distinctCounts(
  path: string,
  table: string,
): { rows: number; ids: number; tokens: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT count(*) AS rows, count(DISTINCT id) AS ids, count(DISTINCT vault_token) AS tokens FROM "${table}"`,
      )
      .get() as { rows: number; ids: number; tokens: number };
  } finally {
    db.close();
  }
}

export interface VaultState {
  /** rotatable records still under the old password (byte-identical to the original) */
  readonly underOld: number;
  /** rotatable records under the new password (v2, original plaintext) */
  readonly underNew: number;
}

/**
 * The vault after any stop: integrity ok, every record there exactly once,
 * each record of the old password either byte-identical or a v2 value that
 * opens with the new password to its original plaintext, every other record
 * and every other table byte-identical.
 */
export async function expectConsistentWithTemplate(
  path: string,
  template: VaultTemplate,
  newPassword: string,
  context = '',
): Promise<VaultState> {
  expect(recoverAndCheckIntegrity(path), `${context} integrity_check`).toBe('ok');
  const counts = distinctCounts(path, template.table);
  expect(counts, `${context} no record missing or duplicated`).toEqual({
    rows: template.records.length,
    ids: template.records.length,
    tokens: template.records.length,
  });
  const rows = readRows(path, template.table);
  expect([...rows.keys()].sort(), `${context} the same ids`).toEqual(
    [...template.byId.keys()].sort(),
  );
  const kdf = await loadArgon2idBackend('auto');
  const key = Buffer.from(newPassword, 'utf8');
  let underOld = 0;
  let underNew = 0;
  const wrong: string[] = [];
  for (const original of template.records) {
    const row = rows.get(original.id) as StoredRow;
    const where = `${context} record ${original.id}`;
    if (row.vault_token !== original.token || row.created_at !== CREATED) {
      wrong.push(`${where}: token or created_at changed`);
    }
    if (row.expires_at !== (original.expired ? PAST : NEVER))
      wrong.push(`${where}: expires_at changed`);
    if (row.soft_deleted_at !== (original.softDeleted ? PAST : NEVER)) {
      wrong.push(`${where}: soft_deleted_at changed`);
    }
    const rotatable = original.password === OLD_PASSWORD;
    if (row.vault_value === original.value) {
      if (row.updated_at !== UPDATED)
        wrong.push(`${where}: updated_at changed but the value did not`);
      if (rotatable) underOld++;
      continue;
    }
    if (!rotatable) {
      wrong.push(`${where}: not under the old password, but its value changed`);
      continue;
    }
    if (!row.vault_value.startsWith('v2:')) wrong.push(`${where}: rewritten, but not as v2`);
    if (row.updated_at === UPDATED) wrong.push(`${where}: rewritten without a new updated_at`);
    const opened = await openValue(row.vault_value, key, template.config, kdf);
    if (!opened.ok) wrong.push(`${where}: rewritten, but does not open with the new password`);
    else if (!original.plaintext || !opened.plaintext.equals(original.plaintext)) {
      wrong.push(`${where}: opens with the new password to a different plaintext`);
    } else underNew++;
  }
  expect(wrong, `${context} records`).toEqual([]);
  expect(dumpSchema(path), `${context} schema`).toBe(template.untouched['(schema)']);
  for (const table of template.otherTables) {
    expect(dumpTable(path, table), `${context} table ${table} untouched`).toBe(
      template.untouched[table],
    );
  }
  return { underOld, underNew };
}

/** A backup must be the vault exactly as it was before the first write. */
export function expectBackupIsOriginal(backupPath: string, template: VaultTemplate): void {
  expect(recoverAndCheckIntegrity(backupPath), 'backup integrity').toBe('ok');
  expect(dumpTable(backupPath, template.table), 'backup holds the original records').toBe(
    dumpTable(template.path, template.table),
  );
  for (const table of template.otherTables) {
    expect(dumpTable(backupPath, table), `backup table ${table}`).toBe(template.untouched[table]);
  }
}
