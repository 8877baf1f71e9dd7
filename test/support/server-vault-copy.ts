/**
 * Moves a VaultStore vault between a SQLite file and a database server, so
 * server tests can start from the fixture vaults and check the result with
 * `vsref verify` (which reads SQLite). Values travel byte-exact; the text
 * datetimes "YYYY-MM-DD HH:MM:SS" (UTC) become the same instant in
 * datetime / timestamptz columns and come back in the same text form.
 * Written on the drivers directly (pg, mysql2), independently of src/.
 */
import Database from 'better-sqlite3';
import {
  libraryDdl,
  serverLibraryDdl,
  type PostgresDatetimeType,
} from '../../bench/vaultstore-ddl.js';
import type { SqlSession } from './servers/index.js';

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
const META_COLUMNS = ['id', 'object_type', 'object_id', 'meta_key', 'meta_value'] as const;

export type VaultRow = Record<(typeof VAULT_COLUMNS)[number], string>;
type MetaRow = Record<(typeof META_COLUMNS)[number], string | number | null>;

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

function quoteFor(session: SqlSession, name: string): string {
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

/** SELECT list giving every column as text, datetimes as "YYYY-MM-DD HH:MM:SS" in UTC. */
async function textSelectList(session: SqlSession, table: string): Promise<string> {
  if (session.kind === 'mysql') {
    // mysql2 sessions here use dateStrings: DATETIME arrives as that text already.
    return VAULT_COLUMNS.map((c) => quoteFor(session, c)).join(',');
  }
  const types = await session.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()',
    [table],
  );
  const typeOf = new Map(types.map((t) => [t.column_name, t.data_type]));
  return VAULT_COLUMNS.map((c) => {
    const column = quoteFor(session, c);
    const type = typeOf.get(c);
    if (type === 'timestamp with time zone') {
      return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS ${column}`;
    }
    if (type === 'timestamp without time zone') {
      return `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS') AS ${column}`;
    }
    return `${column}::text AS ${column}`;
  }).join(',');
}

/** The records of a server vault, as text, ordered by id. */
export async function readServerVault(session: SqlSession, table = 'vault'): Promise<VaultRow[]> {
  const list = await textSelectList(session, table);
  return session.query<VaultRow>(
    `SELECT ${list} FROM ${quoteFor(session, table)} ORDER BY ${quoteFor(session, 'id')}`,
  );
}

/**
 * Writes the server vault into a new SQLite file `file`, created with the
 * library's SQLite DDL (bench/vaultstore-ddl.ts), for `vsref verify`.
 * Returns the number of records.
 */
export async function copyVaultFromServer(
  session: SqlSession,
  file: string,
  options: VaultTables = {},
): Promise<number> {
  const table = options.table ?? 'vault';
  const meta = options.meta ?? 'vault_meta';
  const records = await readServerVault(session, table);
  const metaRows = await session.query<MetaRow>(
    `SELECT ${META_COLUMNS.map((c) => quoteFor(session, c)).join(',')} FROM ${quoteFor(session, meta)} ORDER BY ${quoteFor(session, 'id')}`,
  );
  const db = new Database(file, { fileMustExist: false });
  try {
    db.exec(libraryDdl(table, meta));
    const q = (name: string) => '`' + name.replaceAll('`', '``') + '`';
    const insertRecord = db.prepare(
      `INSERT INTO ${q(table)} (${VAULT_COLUMNS.join(',')}) VALUES (${VAULT_COLUMNS.map(() => '?').join(',')})`,
    );
    const insertMeta = db.prepare(
      `INSERT INTO ${q(meta)} (${META_COLUMNS.join(',')}) VALUES (${META_COLUMNS.map(() => '?').join(',')})`,
    );
    db.transaction(() => {
      for (const row of records) insertRecord.run(VAULT_COLUMNS.map((c) => row[c]));
      for (const row of metaRows) {
        insertMeta.run(META_COLUMNS.map((c) => (c === 'id' ? Number(row[c]) : row[c])));
      }
    })();
  } finally {
    db.close();
  }
  return records.length;
}
