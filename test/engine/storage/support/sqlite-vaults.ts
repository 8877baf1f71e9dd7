/**
 * Test helpers for the storage suite: vaults built with the VaultStore
 * library's own DDL through an independent better-sqlite3 connection (the
 * "other program"), table dumps, hashes and error assertions.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { expect } from 'vitest';
import { isEngineError } from '../../../../src/engine/errors.js';
import type { EngineErrorCode } from '../../../../src/engine/errors.js';
import { VAULT_DRIVERS } from '../../../../src/engine/storage/index.js';
import type { FileDriverName } from '../../../../src/engine/storage/index.js';
import type { VaultManifest } from '../../../support/fixtures.js';
import { libraryDdl } from '../../../support/vault-builder.js';

export { sha256, sha256File } from '../../../support/vault-builder.js';

/** every registered driver: the SQLite store suite runs on each */
export const DRIVERS: readonly FileDriverName[] = VAULT_DRIVERS.map((driver) => driver.name);

export const NEVER = '9999-12-31 23:59:59';
export const PAST = '2020-01-01 00:00:00';

/** SQLite identifier quoting, written independently of the code under test. */
function q(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

export interface RecordSpec {
  readonly id: string;
  readonly value: string;
  readonly softDeletedAt?: string;
  readonly expiresAt?: string;
}

export function insertRecords(
  db: Database.Database,
  table: string,
  records: readonly RecordSpec[],
): void {
  const insert = db.prepare(`INSERT INTO ${q(table)} VALUES (?, ?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    records.forEach((record, index) => {
      insert.run(
        record.id,
        `tk_${table.length}_${index}_${createHash('sha1').update(record.id).digest('hex').slice(0, 12)}`,
        record.value,
        '2025-01-02 03:04:05',
        '2025-02-03 04:05:06',
        record.expiresAt ?? NEVER,
        record.softDeletedAt ?? NEVER,
      );
    });
  })();
}

export interface VaultTableSpec {
  readonly table: string;
  readonly meta: string;
  readonly records: readonly RecordSpec[];
  readonly metaRows?: number;
}

/** Creates a new vault file with the library DDL (rollback journal, like the library). */
export function createVault(path: string, tables: readonly VaultTableSpec[], extraSql = ''): void {
  const db = new Database(path);
  try {
    for (const spec of tables) {
      db.exec(libraryDdl(spec.table, spec.meta));
      insertRecords(db, spec.table, spec.records);
      const meta = db.prepare(
        `INSERT INTO ${q(spec.meta)} (object_type, object_id, meta_key, meta_value) VALUES (?, ?, ?, ?)`,
      );
      for (let i = 0; i < (spec.metaRows ?? 3); i++)
        meta.run('vault', spec.table, `key${i}`, `value ${i} of ${spec.table}`);
    }
    if (extraSql) db.exec(extraSql);
  } finally {
    db.close();
  }
}

export type Row = Record<string, unknown>;

/** Every row of every table (and the schema), in a stable order, as plain data. */
export function dumpDatabase(path: string): Record<string, Row[]> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const dump: Record<string, Row[]> = {
      sqlite_master: db
        .prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name')
        .all() as Row[],
    };
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all() as { name: string }[];
    for (const { name } of tables) {
      dump[name] = db.prepare(`SELECT * FROM ${q(name)} ORDER BY rowid`).all() as Row[];
    }
    return dump;
  } finally {
    db.close();
  }
}

/** A table's rows as objects (compare with toEqual); vault-builder's dumpTable gives text. */
export function tableRows(path: string, table: string): Row[] {
  const dump = dumpDatabase(path)[table];
  if (!dump) throw new Error(`no table ${table} in ${path}`);
  return dump;
}

export function listFolder(folder: string): string[] {
  return readdirSync(folder).sort();
}

/** SQLite's BINARY collation: compare UTF-8 bytes (not JS's UTF-16 order). */
export function compareBinary(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The moment the fixture was generated: its soft-deleted/expired flags hold at this time. */
export function manifestNow(manifest: VaultManifest & { generated_at?: string }): Date {
  if (!manifest.generated_at) throw new Error('manifest without generated_at');
  return new Date(`${manifest.generated_at.replace(' ', 'T')}Z`);
}

export function expectedVersionCounts(manifest: VaultManifest): { v1: number; v2: number } {
  const sum = (version: 'v1' | 'v2'): number =>
    manifest.spec_entries
      .filter((entry) => entry.version === version)
      .reduce((n, entry) => n + entry.count, 0);
  return { v1: sum('v1'), v2: sum('v2') };
}

/** Asserts an EngineError with `code` whose message says what to do (matches `advice`). */
export async function expectEngineError(
  action: Promise<unknown> | (() => unknown),
  code: EngineErrorCode,
  advice: RegExp,
): Promise<Error> {
  let caught: unknown;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected EngineError ${code}`).toBeDefined();
  expect(isEngineError(caught), `not an EngineError: ${String(caught)}`).toBe(true);
  const engineError = caught as Error & { code: string };
  expect(engineError.code, engineError.message).toBe(code);
  expect(engineError.message).toMatch(advice);
  return engineError;
}
