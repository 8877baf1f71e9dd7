/**
 * Vault tables the VaultStore library would never create but a foreign
 * writer can: ids that are BLOBs, invalid UTF-8, NULL, integers, duplicated;
 * WITHOUT ROWID tables; values stored as BLOBs. The table is created here
 * with better-sqlite3 (the "other program"), values are encoded with the
 * engine's codec (tiny preset), and rows are compared by vault_token (unique
 * in these tables) with every column typed and hex-spelled, so a changed id
 * type or byte is seen.
 */
import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../src/core/argon2.js';
import { encodeV2Value, openValue } from '../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../src/engine/kdf/index.js';
import type { RotationOptions } from '../../src/engine/rotation/types.js';
import { NEVER } from './vault-builder.js';

export const ODD_OLD = 'Old-Password-odd-ids-0001';
export const ODD_NEW = 'New-Password-odd-ids-0001';
export const ODD_OTHER = 'Other-Password-odd-ids-01';

/** ODD_OLD -> ODD_NEW on the tiny preset, 2 workers, no backup, plus `extra`. */
export function oddRotationOptions(
  vaultPath: string,
  extra: Partial<RotationOptions> = {},
): RotationOptions {
  return {
    vaultPath,
    oldPassword: new TextEncoder().encode(ODD_OLD),
    newPassword: new TextEncoder().encode(ODD_NEW),
    openConfig: ARGON2_PRESETS.tiny,
    workers: 2,
    backup: false,
    ...extra,
  };
}

/** The seven columns, as the library names them; `id` typed by the caller. */
export function vaultTableDdl(
  table: string,
  options: { idType?: string; tail?: string; withoutRowid?: boolean } = {},
): string {
  const idType = options.idType ?? 'text';
  const tail = options.tail ?? '';
  return (
    `CREATE TABLE "${table}" (id ${idType}, vault_token text NOT NULL, vault_value longtext NOT NULL, ` +
    `created_at datetime NOT NULL, updated_at datetime NOT NULL, expires_at datetime NOT NULL, ` +
    `soft_deleted_at datetime NOT NULL${tail ? `, ${tail}` : ''})${options.withoutRowid ? ' WITHOUT ROWID' : ''}`
  );
}

export interface OddRow {
  /** a value bound as is (string, number, Buffer, null), unless idSql is given */
  readonly id?: unknown;
  /** an SQL expression for the id, e.g. CAST(x'ff61' AS TEXT) */
  readonly idSql?: string;
  /** default ODD_OLD */
  readonly password?: string;
  readonly softDeletedAt?: string;
  /** store the value as a BLOB (its UTF-8 bytes) instead of TEXT */
  readonly valueAsBlob?: boolean;
}

export interface OddRecord {
  readonly token: string;
  readonly password: string;
  readonly plaintext: string;
}

export const CREATED_AT = '2025-01-02 03:04:05';
export const UPDATED_AT = '2025-02-03 04:05:06';

/** Creates `path` with `ddl` (one or more statements) and the rows, in order (rowid order = array order). */
export async function createOddVault(
  path: string,
  ddl: string,
  rows: readonly OddRow[],
  table = 'vault',
  config: Argon2Config = ARGON2_PRESETS.tiny,
): Promise<OddRecord[]> {
  const kdf = await loadArgon2idBackend('auto');
  const records: OddRecord[] = [];
  const db = new Database(path);
  try {
    db.exec(ddl);
    const prepared = new Map<string, Database.Statement>();
    const statementFor = (idSql: string): Database.Statement => {
      let statement = prepared.get(idSql);
      if (!statement) {
        statement = db.prepare(`INSERT INTO "${table}" VALUES (${idSql}, ?, ?, ?, ?, ?, ?)`);
        prepared.set(idSql, statement);
      }
      return statement;
    };
    const values: { row: OddRow; token: string; value: string }[] = [];
    for (const [index, row] of rows.entries()) {
      const password = row.password ?? ODD_OLD;
      const token = `tk_odd_${String(index).padStart(5, '0')}`;
      const plaintext = `secret number ${index} of ${token}`;
      const value = await encodeV2Value(
        Buffer.from(plaintext),
        Buffer.from(password, 'utf8'),
        config,
        kdf,
      );
      records.push({ token, password, plaintext });
      values.push({ row, token, value });
    }
    db.transaction(() => {
      for (const { row, token, value } of values) {
        const rest = [
          token,
          row.valueAsBlob ? Buffer.from(value, 'utf8') : value,
          CREATED_AT,
          UPDATED_AT,
          NEVER,
          row.softDeletedAt ?? NEVER,
        ];
        if (row.idSql !== undefined) statementFor(row.idSql).run(...rest);
        else statementFor('?').run(row.id, ...rest);
      }
    })();
  } finally {
    db.close();
  }
  return records;
}

/** One row with every column as "type:content" (blobs and text in hex), by token. */
export type RowSnapshot = Map<string, Record<string, string>>;

export function snapshotRows(path: string, table = 'vault'): RowSnapshot {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const columns = [
      'id',
      'vault_token',
      'vault_value',
      'created_at',
      'updated_at',
      'expires_at',
      'soft_deleted_at',
    ];
    const select = columns.map((c) => `typeof(${c}) || ':' || hex(${c}) AS ${c}`).join(', ');
    const rows = db
      .prepare(
        `SELECT ${select}, CAST(vault_value AS TEXT) AS value_text, vault_token AS token FROM "${table}"`,
      )
      .all() as Record<string, string>[];
    return new Map(rows.map((row) => [row.token!, row]));
  } finally {
    db.close();
  }
}

/**
 * After a full rotation ODD_OLD -> ODD_NEW: every record that was under the
 * old password opens with the new one to its plaintext, and only its value
 * and updated_at changed; every other row is byte-identical.
 */
export async function expectOddRotated(
  before: RowSnapshot,
  after: RowSnapshot,
  records: readonly OddRecord[],
  config: Argon2Config = ARGON2_PRESETS.tiny,
): Promise<void> {
  const kdf = await loadArgon2idBackend('auto');
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  for (const record of records) {
    const was = before.get(record.token)!;
    const now = after.get(record.token)!;
    if (record.password !== ODD_OLD) {
      expect(now, `${record.token} must be untouched`).toEqual(was);
      continue;
    }
    const { vault_value: _v, updated_at: _u, value_text: _t, ...unchangedBefore } = was;
    const { vault_value: _v2, updated_at: updated, value_text: text, ...unchangedAfter } = now;
    expect(unchangedAfter, `${record.token}: only the value and updated_at change`).toEqual(
      unchangedBefore,
    );
    expect(updated, record.token).not.toBe(was.updated_at);
    const opened = await openValue(String(text), Buffer.from(ODD_NEW, 'utf8'), config, kdf);
    expect(opened.ok, `${record.token} opens with the new password`).toBe(true);
    if (opened.ok)
      expect(Buffer.from(opened.plaintext).toString(), record.token).toBe(record.plaintext);
  }
}

/** Tokens of the rows whose current value still opens with `password`. */
export async function tokensOpeningWith(
  snapshot: RowSnapshot,
  password: string,
  config: Argon2Config = ARGON2_PRESETS.tiny,
): Promise<string[]> {
  const kdf = await loadArgon2idBackend('auto');
  const tokens: string[] = [];
  for (const [token, row] of snapshot) {
    const opened = await openValue(
      String(row.value_text),
      Buffer.from(password, 'utf8'),
      config,
      kdf,
    );
    if (opened.ok) tokens.push(token);
  }
  return tokens.sort();
}

export function listDir(path: string): string[] {
  return readdirSync(path).sort();
}
