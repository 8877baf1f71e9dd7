/**
 * A PostgreSQL vault table's backup file: read from a second connection's
 * REPEATABLE READ snapshot in id order, one page in memory at a time, and
 * written into a new SQLite file with the library's DDL.
 */
import type pg from 'pg';
import type { EngineError } from '../../errors.js';
import {
  backupFileError,
  writeSqliteVaultBackup,
  type BackupRow,
} from '../server/sqlite-backup.js';
import { serverSilentError } from '../server/server-timeouts.js';
import { pgEngineError } from './errors.js';
import { dropConnection, isQueryTimeout } from './query-timeout.js';
import type { TableSql } from './sql.js';

/** Rows per page of the backup snapshot (only this many in memory). */
const BACKUP_PAGE_ROWS = 1000;

/** What the backup needs of the store's settings. */
export interface PgBackupSettings {
  readonly display: string;
  readonly busyTimeoutMs: number;
  readonly serverTimeoutMs: number;
  readonly nativeBinding?: string | undefined;
  /** a second connection with the same settings (the backup's snapshot) */
  readonly openSecondClient: () => Promise<pg.Client>;
}

/** Writes the table's rows, as one snapshot saw them, into the new file `destinationPath`. */
export async function backupSnapshotTo(
  settings: PgBackupSettings,
  sql: TableSql,
  destinationPath: string,
): Promise<void> {
  let snapshot: pg.Client | null = null;
  let ended: unknown = null;
  try {
    snapshot = await settings.openSecondClient();
    const reader = snapshot;
    // A killed snapshot connection fails its next query; its 'error' event must not end the process
    // (kept: it says why the server ended the session).
    reader.on('error', (error) => {
      ended ??= error;
    });
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await writeSqliteVaultBackup(
      destinationPath,
      sql.tableName,
      snapshotRows(reader, sql),
      settings.nativeBinding,
    );
    await reader.query('COMMIT');
  } catch (error) {
    if (isQueryTimeout(error)) {
      dropConnection(snapshot!);
      throw serverSilentError(settings.display, settings.serverTimeoutMs, error);
    }
    throw backupError(ended ?? error, destinationPath, settings);
  } finally {
    await snapshot?.end().catch(() => undefined);
  }
}

function backupError(
  error: unknown,
  destinationPath: string,
  settings: PgBackupSettings,
): EngineError {
  const local = backupFileError(error, destinationPath);
  if (local) return local;
  return pgEngineError(error, {
    display: settings.display,
    action: `writing the backup ${destinationPath} of`,
    busyTimeoutMs: settings.busyTimeoutMs,
    connected: true,
  });
}

/** The table's rows in id order from the snapshot transaction, one page in memory at a time. */
async function* snapshotRows(client: pg.Client, sql: TableSql): AsyncGenerator<BackupRow> {
  let afterKey: string | null = null;
  for (;;) {
    const statement = sql.backupPage(afterKey, BACKUP_PAGE_ROWS);
    const { rows } = await client.query<BackupRow>({
      text: statement.text,
      values: statement.values,
    });
    yield* rows;
    const last = rows.at(-1);
    if (rows.length < BACKUP_PAGE_ROWS || last === undefined) return;
    afterKey = last.id;
  }
}
