/**
 * Builds test vaults with our own codec: N records under several passwords,
 * v1 records, soft-deleted and expired ones, malformed values, unrelated
 * tables, a second vault table and a meta table. Also small helpers to read
 * a vault back for byte-for-byte comparisons.
 *
 * The schema is the Go library's DDL (docs/vaultstore-format.md). v1 values
 * are made here (the engine only decodes v1) and checked with the engine's
 * decoder before they are stored.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ARGON2_PRESETS, type Argon2Config } from '../../src/core/argon2.js';
import {
  deriveV1Key,
  encodeBase64Url,
  encodeV2Value,
  openV1WithKey,
  openValue,
  type OpenResult,
} from '../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../src/engine/kdf/index.js';
import { metaTableSql, tokenIndexSql, vaultTableSql } from '../../bench/vaultstore-ddl.js';

/** The library's DDL, shared with the benchmark (one copy, in bench/ because bench may not import test/). */
export {
  libraryDdl,
  metaTableSql,
  tokenIndexSql,
  vaultTableSql,
} from '../../bench/vaultstore-ddl.js';

export const NEVER = '9999-12-31 23:59:59';
const PAST = '2025-06-01 00:00:00';
const CREATED = '2025-01-01 00:00:00';
const UPDATED = '2025-01-02 03:04:05';

export interface RecordSpec {
  /** the password the value is encrypted with (ignored with rawValue) */
  readonly password?: string;
  /** default v2 */
  readonly version?: 'v1' | 'v2';
  /** default: a random text */
  readonly plaintext?: string | Buffer;
  readonly softDeleted?: boolean;
  readonly expired?: boolean;
  /** stored as is (malformed or foreign values) */
  readonly rawValue?: string;
}

export interface BuiltRecord {
  readonly id: string;
  readonly token: string;
  /** null for raw values */
  readonly password: string | null;
  readonly version: 'v1' | 'v2' | 'raw';
  readonly plaintext: Buffer | null;
  readonly softDeleted: boolean;
  readonly expired: boolean;
  readonly value: string;
}

export interface VaultSpec {
  /** default 'vault' */
  readonly table?: string;
  /** default 'vault_meta' */
  readonly metaTable?: string;
  /** Argon2id config of the v2 values; default tiny */
  readonly config?: Argon2Config;
  readonly records: readonly RecordSpec[];
  /** rows in the meta table (default 3) */
  readonly metaRows?: number;
  /** an application table and an audit table with rows (default true) */
  readonly unrelatedTables?: boolean;
  /** more vault tables in the same file */
  readonly extraVaultTables?: readonly {
    readonly name: string;
    readonly records: readonly RecordSpec[];
  }[];
}

export interface BuiltVault {
  readonly path: string;
  readonly table: string;
  readonly metaTable: string;
  readonly config: Argon2Config;
  readonly records: readonly BuiltRecord[];
  readonly extraTables: Readonly<Record<string, readonly BuiltRecord[]>>;
  /** names of every non-records table (meta, unrelated) */
  readonly otherTables: readonly string[];
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const FILLER = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function randomText(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)];
  return text;
}

function defaultPlaintext(): Buffer {
  return Buffer.from(
    `secret ${randomText(FILLER, 8)} ${randomBytes(randomInt(8, 64)).toString('hex')}`,
  );
}

/**
 * A v1 value the way the legacy library wrote it (see the format doc). Random
 * filler can make the inner layer use '-' or '_', which the library's own
 * decoder refuses: such draws are retried until the engine's decoder opens it.
 */
export function encodeV1Value(plaintext: Buffer, password: string): string {
  const key = deriveV1Key(Buffer.from(password, 'utf8'));
  const encoded = encodeBase64Url(plaintext);
  const core = `${encoded.length}_${encoded}`;
  let size = 128;
  while (size < core.length) size *= 2;
  for (let attempt = 0; attempt < 200; attempt++) {
    const block = core + randomText(FILLER, size - core.length);
    const inner = Buffer.from(encodeBase64Url(Buffer.from(block, 'latin1')), 'latin1');
    const outer = Buffer.alloc(inner.length);
    for (let i = 0; i < inner.length; i++) outer[i] = inner[i]! ^ key[i % key.length]!;
    const value = encodeBase64Url(outer);
    const check = openV1WithKey(value, key);
    if (check.ok && check.plaintext.equals(plaintext)) return value;
  }
  throw new Error(
    'this plaintext cannot be written as a v1 value the library can read; choose another',
  );
}

let idCounter = 0;
/** 32-digit ids in creation order, like the library's time-based ids */
function nextId(): string {
  idCounter++;
  return `2025${String(Date.now()).slice(-10)}${String(idCounter).padStart(18, '0')}`;
}

async function makeRecords(
  specs: readonly RecordSpec[],
  config: Argon2Config,
): Promise<BuiltRecord[]> {
  const kdf = await loadArgon2idBackend('auto');
  const built: BuiltRecord[] = [];
  for (const spec of specs) {
    const id = nextId();
    const token = `tk_${randomText(CROCKFORD, 29)}`;
    const base = {
      id,
      token,
      softDeleted: spec.softDeleted ?? false,
      expired: spec.expired ?? false,
    };
    if (spec.rawValue !== undefined) {
      built.push({
        ...base,
        password: null,
        version: 'raw',
        plaintext: null,
        value: spec.rawValue,
      });
      continue;
    }
    if (spec.password === undefined)
      throw new Error('a record spec needs a password or a rawValue');
    const version = spec.version ?? 'v2';
    const plaintext =
      spec.plaintext === undefined
        ? defaultPlaintext()
        : Buffer.from(spec.plaintext as string | Uint8Array);
    const value =
      version === 'v1'
        ? encodeV1Value(plaintext, spec.password)
        : await encodeV2Value(plaintext, Buffer.from(spec.password, 'utf8'), config, kdf);
    built.push({ ...base, password: spec.password, version, plaintext, value });
  }
  return built;
}

function insertRecords(
  db: Database.Database,
  table: string,
  records: readonly BuiltRecord[],
): void {
  const insert = db.prepare(
    `INSERT INTO \`${table}\` (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at) ` +
      'VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (const record of records) {
    insert.run(
      record.id,
      record.token,
      record.value,
      CREATED,
      UPDATED,
      record.expired ? PAST : NEVER,
      record.softDeleted ? PAST : NEVER,
    );
  }
}

/** Creates the vault file at `path` (which must not exist). */
export async function buildVault(path: string, spec: VaultSpec): Promise<BuiltVault> {
  const table = spec.table ?? 'vault';
  const metaTable = spec.metaTable ?? 'vault_meta';
  const config = spec.config ?? ARGON2_PRESETS.tiny;
  const records = await makeRecords(spec.records, config);
  const extraTables: Record<string, BuiltRecord[]> = {};
  for (const extra of spec.extraVaultTables ?? [])
    extraTables[extra.name] = await makeRecords(extra.records, config);

  const db = new Database(path);
  const otherTables = [metaTable];
  try {
    db.transaction(() => {
      db.exec(vaultTableSql(table));
      db.exec(tokenIndexSql(table));
      db.exec(metaTableSql(metaTable));
      insertRecords(db, table, records);
      for (const [name, extraRecords] of Object.entries(extraTables)) {
        db.exec(vaultTableSql(name));
        db.exec(tokenIndexSql(name));
        insertRecords(db, name, extraRecords);
      }
      const meta = db.prepare(
        `INSERT INTO \`${metaTable}\` (object_type, object_id, meta_key, meta_value) VALUES (?, ?, ?, ?)`,
      );
      for (let i = 0; i < (spec.metaRows ?? 3); i++)
        meta.run('vault', records[i]?.id ?? 'none', `key${i}`, `value ${i}`);
      if (spec.unrelatedTables ?? true) {
        db.exec(
          'CREATE TABLE app_users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret BLOB, vault_value TEXT)',
        );
        const user = db.prepare(
          'INSERT INTO app_users (name, secret, vault_value) VALUES (?, ?, ?)',
        );
        // vault_value here is not a records table (no vault_token): must be left alone.
        for (let i = 0; i < 5; i++)
          user.run(`user ${i}`, randomBytes(16), records[i]?.value ?? null);
        db.exec('CREATE TABLE audit_log (at TEXT, message TEXT)');
        db.prepare('INSERT INTO audit_log VALUES (?, ?)').run(CREATED, 'created');
        otherTables.push('app_users', 'audit_log');
      }
    })();
  } finally {
    db.close();
  }
  return { path, table, metaTable, config, records, extraTables, otherTables };
}

/** `count` record specs cycling through `mix` (each entry repeated `weight` times). */
export function recordMix(
  count: number,
  mix: readonly (RecordSpec & { readonly weight?: number })[],
): RecordSpec[] {
  const cycle = mix.flatMap((entry) => Array.from({ length: entry.weight ?? 1 }, () => entry));
  return Array.from({ length: count }, (_, i) => {
    const { weight: _weight, ...spec } = cycle[i % cycle.length]!;
    return spec;
  });
}

export interface StoredRow {
  readonly id: string;
  readonly vault_token: string;
  readonly vault_value: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string;
  readonly soft_deleted_at: string;
}

/** Every row of a records table, by id. */
export function readRows(path: string, table: string): Map<string, StoredRow> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT * FROM \`${table}\` ORDER BY id`).all() as StoredRow[];
    return new Map(rows.map((row) => [row.id, row]));
  } finally {
    db.close();
  }
}

/** id -> rowid, in rowid order: records are paged (and resume cursors kept) in rowid order. */
export function rowidsById(path: string, table = 'vault'): Map<string, bigint> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT id, CAST(rowid AS TEXT) AS rid FROM \`${table}\` ORDER BY rowid`)
      .all() as { id: string; rid: string }[];
    return new Map(rows.map((row) => [String(row.id), BigInt(row.rid)]));
  } finally {
    db.close();
  }
}

/** True when the record `id` is at or before a rowid resume cursor. */
export function atOrBeforeCursor(
  rowids: ReadonlyMap<string, bigint>,
  id: string,
  cursor: string,
): boolean {
  const rowid = rowids.get(id);
  return rowid !== undefined && rowid <= BigInt(cursor);
}

/** A table's full content (every column, blobs as hex) as text, for byte-for-byte comparison. */
export function dumpTable(path: string, table: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT * FROM \`${table}\` ORDER BY rowid`).all() as Record<
      string,
      unknown
    >[];
    return JSON.stringify(rows, (_key, value: unknown) =>
      Buffer.isBuffer(value) ? `hex:${value.toString('hex')}` : value,
    );
  } finally {
    db.close();
  }
}

/** PRAGMA integrity_check, read-only ("ok" when sound; a hot journal is not rolled back: see recoverAndCheckIntegrity). */
export function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[])
      .map((row) => row.integrity_check)
      .join('\n');
  } finally {
    db.close();
  }
}

/** The schema (sqlite_master) as text. */
export function dumpSchema(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return JSON.stringify(
      db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name').all(),
    );
  } finally {
    db.close();
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Opens a stored value with a password (in this thread: tests only). */
export async function openStoredValue(
  value: string,
  password: string,
  config: Argon2Config,
): Promise<OpenResult> {
  return openValue(value, Buffer.from(password, 'utf8'), config, await loadArgon2idBackend('auto'));
}
