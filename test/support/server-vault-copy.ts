/**
 * Moves a VaultStore vault between a SQLite file and a database server, so
 * server tests can start from the fixture vaults and check the result with
 * `vsref verify` (which reads SQLite). Values travel byte-exact; the text
 * datetimes "YYYY-MM-DD HH:MM:SS" (UTC) become the same instant in
 * datetime / timestamptz columns and come back in the same text form.
 * Written on the drivers directly (pg, mysql2), independently of src/.
 * The way in (SQLite -> server) lives in bench/server-vault-copy.ts, which
 * the benchmark uses too.
 */
import Database from 'better-sqlite3';
import {
  META_COLUMNS,
  quoteFor,
  VAULT_COLUMNS,
  type MetaRow,
  type VaultRow,
  type VaultTables,
} from '../../bench/server-vault-copy.js';
import { libraryDdl } from '../../bench/vaultstore-ddl.js';
import type { SqlSession } from './servers/index.js';

export {
  copyVaultToServer,
  readSqliteVault,
  VAULT_COLUMNS,
  type VaultRow,
  type VaultTables,
} from '../../bench/server-vault-copy.js';

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
