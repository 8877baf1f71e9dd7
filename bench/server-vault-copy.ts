/**
 * Copies a VaultStore vault from a SQLite file into a database server with
 * the library's server DDL, so the benchmark (and the server tests, through
 * test/support/server-vault-copy.ts) can start from the same vaults. Values
 * travel byte-exact; the text datetimes "YYYY-MM-DD HH:MM:SS" (UTC) become
 * the same instant in datetime / timestamptz columns. Written on the drivers
 * directly (pg, mysql2), independently of src/.
 */
import Database from 'better-sqlite3';
import type { SqlSession } from '../tools/db-servers/sql-session.js';
import { serverLibraryDdl, type PostgresDatetimeType } from './vaultstore-ddl.js';

export const VAULT_COLUMNS = [
  'id',
  'vault_token',
  'vault_value',
  'created_at',
  'updated_at',
  'expires_at',
  'soft_deleted_at',
] as const;
const DATETIME_COLUMNS = new Set(['created_at', 'updated_at', 'expires_at', 'soft_deleted_at']);
export const META_COLUMNS = ['id', 'object_type', 'object_id', 'meta_key', 'meta_value'] as const;

export type VaultRow = Record<(typeof VAULT_COLUMNS)[number], string>;
export type MetaRow = Record<(typeof META_COLUMNS)[number], string | number | null>;

export interface VaultTables {
  /** records table (default "vault") */
  table?: string;
  /** meta table (default "vault_meta") */
  meta?: string;
}

/** The records of a SQLite vault, ordered by id. */
export function readSqliteVault(file: string, table = 'vault'): VaultRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT ${VAULT_COLUMNS.join(',')} FROM "${table.replaceAll('"', '""')}" ORDER BY id`,
      )
      .all() as VaultRow[];
  } finally {
    db.close();
  }
}

/** An identifier quoted for the session's dialect. */
export function quoteFor(session: SqlSession, name: string): string {
  return session.kind === 'postgres'
    ? '"' + name.replaceAll('"', '""') + '"'
    : '`' + name.replaceAll('`', '``') + '`';
}

function placeholders(session: SqlSession, rows: number, columns: number): string {
  let n = 0;
  const one = () =>
    '(' +
    Array.from({ length: columns }, () => (session.kind === 'postgres' ? `$${++n}` : '?')).join(
      ',',
    ) +
    ')';
  return Array.from({ length: rows }, one).join(',');
}

async function insertRows(
  session: SqlSession,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const names = columns.map((c) => quoteFor(session, c)).join(',');
  for (let start = 0; start < rows.length; start += 100) {
    const chunk = rows.slice(start, start + 100);
    await session.query(
      `INSERT INTO ${quoteFor(session, table)} (${names}) VALUES ${placeholders(session, chunk.length, columns.length)}`,
      chunk.flat(),
    );
  }
}

/**
 * Copies the vault in SQLite `file` into the server behind `session` (connect
 * as the database owner, so the tables are the owner's). Creates the tables
 * with the library's server DDL unless `createTables` is false. Returns the
 * number of records.
 */
export async function copyVaultToServer(
  file: string,
  session: SqlSession,
  options: VaultTables & { createTables?: boolean; postgresDatetime?: PostgresDatetimeType } = {},
): Promise<number> {
  const table = options.table ?? 'vault';
  const meta = options.meta ?? 'vault_meta';
  const datetime = options.postgresDatetime ?? 'timestamptz';
  const records = readSqliteVault(file, table);
  const source = new Database(file, { readonly: true });
  let metaRows: MetaRow[];
  try {
    metaRows = source
      .prepare(`SELECT ${META_COLUMNS.join(',')} FROM "${meta.replaceAll('"', '""')}" ORDER BY id`)
      .all() as MetaRow[];
  } finally {
    source.close();
  }
  if (options.createTables !== false) {
    for (const statement of serverLibraryDdl(session.kind, table, meta, datetime)) {
      await session.query(statement);
    }
  }
  // "+00" pins the instant to UTC whatever the session's time zone is.
  const utc = session.kind === 'postgres' && datetime === 'timestamptz' ? '+00' : '';
  await session.query('BEGIN');
  try {
    await insertRows(
      session,
      table,
      VAULT_COLUMNS,
      records.map((row) =>
        VAULT_COLUMNS.map((c) => (DATETIME_COLUMNS.has(c) ? row[c] + utc : row[c])),
      ),
    );
    await insertRows(
      session,
      meta,
      META_COLUMNS,
      metaRows.map((row) => META_COLUMNS.map((c) => row[c])),
    );
    await session.query('COMMIT');
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return records.length;
}
