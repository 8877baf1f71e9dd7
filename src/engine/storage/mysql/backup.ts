/**
 * A server vault's backup: one consistent snapshot of the vault table
 * (a second session in START TRANSACTION WITH CONSISTENT SNAPSHOT, READ
 * ONLY), read in key order by keyset pages, written into a new SQLite file
 * with the library's DDL. Never more than one page of rows in memory.
 */
import type { ConnectionOptions } from 'mysql2/promise';
import type { BackupRow } from '../server/sqlite-backup.js';
import { writeSqliteVaultBackup } from '../server/sqlite-backup.js';
import { MysqlSession } from './session.js';
import type { MysqlRow, MysqlSessionSettings } from './session.js';
import { backupPageStatement } from './sql.js';

const BACKUP_PAGE_ROWS = 500;

/** DATETIME(n) text "YYYY-MM-DD HH:MM:SS[.fff]" (UTC session) as the library's "YYYY-MM-DD HH:MM:SS". */
export function libraryDateTime(value: unknown): string {
  const text = mysqlText(value);
  const match = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.\d*)?$/.exec(text);
  return match ? match[1]! : text;
}

/** A column value as text (binary columns as UTF-8, numbers in decimal). */
export function mysqlText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value === null || value === undefined) return '';
  return String(value);
}

function backupRow(row: MysqlRow): BackupRow {
  return {
    id: mysqlText(row.id),
    vault_token: mysqlText(row.vault_token),
    vault_value: mysqlText(row.vault_value),
    created_at: libraryDateTime(row.created_at),
    updated_at: libraryDateTime(row.updated_at),
    expires_at: libraryDateTime(row.expires_at),
    soft_deleted_at: libraryDateTime(row.soft_deleted_at),
  };
}

async function* snapshotRows(session: MysqlSession, table: string): AsyncGenerator<BackupRow> {
  const action = 'backing up';
  await session.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ', [], action);
  await session.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY', [], action);
  let afterKey: string | null = null;
  for (;;) {
    const page = backupPageStatement(table, afterKey, BACKUP_PAGE_ROWS);
    const rows = await session.query(page.sql, page.params, action);
    for (const row of rows) yield backupRow(row);
    if (rows.length < BACKUP_PAGE_ROWS) break;
    afterKey = mysqlText(rows.at(-1)!.id);
  }
  await session.query('COMMIT', [], action);
}

/** Writes the snapshot of `table` to `destinationPath`; returns the number of records. */
export async function backupMysqlTable(
  options: ConnectionOptions,
  settings: MysqlSessionSettings,
  table: string,
  destinationPath: string,
  nativeBinding: string | undefined,
): Promise<number> {
  const session = await MysqlSession.open(options, settings);
  try {
    return await writeSqliteVaultBackup(
      destinationPath,
      table,
      snapshotRows(session, table),
      nativeBinding,
    );
  } finally {
    await session.close();
  }
}
