/**
 * A server vault's backup: one snapshot of the vault table written into a
 * new SQLite file with the library's SQLite DDL, so the backup opens in this
 * tool and with the Go library (SQLite dialect). The file is created 0600
 * and empty before SQLite opens it, written under a random temporary name
 * and published without replacing anything (src/engine/fs/private-file.ts).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EngineError } from '../../errors.js';
import { entryKind } from '../../fs/private-file.js';
import { publishFileAtomically } from '../common/atomic-write.js';
import { loadModule } from '../sqlite/better-sqlite3-driver.js';
import { quoteIdentifier } from '../common/vault-table.js';

/** One record as the library's SQLite table holds it (datetimes "YYYY-MM-DD HH:MM:SS" UTC). */
export interface BackupRow {
  readonly id: string;
  readonly vault_token: string;
  readonly vault_value: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string;
  readonly soft_deleted_at: string;
}

const ROWS_PER_TRANSACTION = 1000;

/** The library's SQLite DDL (GORM, sqlite dialect) for a vault table named `table`. */
export function librarySqliteDdl(table: string): string[] {
  const t = quoteIdentifier(table);
  return [
    `CREATE TABLE ${t} (\`id\` text NOT NULL,\`vault_token\` text NOT NULL,\`vault_value\` longtext NOT NULL,` +
      '`created_at` datetime NOT NULL,`updated_at` datetime NOT NULL,`expires_at` datetime NOT NULL,' +
      '`soft_deleted_at` datetime NOT NULL,PRIMARY KEY (`id`))',
    `CREATE UNIQUE INDEX ${quoteIdentifier(`idx_${table}_token`)} ON ${t}(\`vault_token\`)`,
  ];
}

/**
 * Writes `rows` (in any order) into a new SQLite file at `destinationPath`.
 * Never replaces a file; nothing is left at the path when it fails.
 * Returns the number of rows written.
 */
export async function writeSqliteVaultBackup(
  destinationPath: string,
  table: string,
  rows: AsyncIterable<BackupRow>,
  /** better-sqlite3's Electron build (ServerConnectOptions.nativeBinding) */
  nativeBinding?: string,
): Promise<number> {
  const Database = await loadModule();
  let written = 0;
  await publishFileAtomically(
    destinationPath,
    async (temporary) => {
      const db = new Database(temporary, nativeBinding === undefined ? {} : { nativeBinding });
      try {
        db.pragma('journal_mode = DELETE');
        db.pragma('synchronous = FULL');
        for (const statement of librarySqliteDdl(table)) db.exec(statement);
        const insert = db.prepare(
          `INSERT INTO ${quoteIdentifier(table)} (id, vault_token, vault_value, created_at, updated_at, ` +
            'expires_at, soft_deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        let batch: BackupRow[] = [];
        const flush = db.transaction((list: readonly BackupRow[]) => {
          for (const row of list) {
            insert.run(
              row.id,
              row.vault_token,
              row.vault_value,
              row.created_at,
              row.updated_at,
              row.expires_at,
              row.soft_deleted_at,
            );
          }
        });
        for await (const row of rows) {
          batch.push(row);
          if (batch.length >= ROWS_PER_TRANSACTION) {
            flush(batch);
            written += batch.length;
            batch = [];
          }
        }
        flush(batch);
        written += batch.length;
      } finally {
        db.close();
      }
    },
    { noReplace: true },
  );
  return written;
}

/** Before a server backup: its folder exists and nothing (not even a link) is at its path. */
export function assertBackupDestination(destinationPath: string): void {
  const folder = dirname(resolve(destinationPath));
  if (!existsSync(folder)) {
    throw new EngineError(
      'FILE_NOT_FOUND',
      `The backup folder ${folder} does not exist. Create it or choose another place for the backup.`,
    );
  }
  if (entryKind(destinationPath) !== null) throw backupPathTaken(destinationPath);
}

function backupPathTaken(destinationPath: string, cause?: unknown): EngineError {
  return new EngineError(
    'USAGE',
    `The backup ${destinationPath} was not written: something is already at that path, and a backup ` +
      'never replaces a file or writes through a link. Choose another backup path, or move that away.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * What went wrong on the local side of a server backup (the file), or null
 * when the error is the server's (the driver translates those).
 */
export function backupFileError(error: unknown, destinationPath: string): EngineError | null {
  if (error instanceof EngineError) return error;
  const errno = (error as { code?: unknown } | null)?.code;
  if (errno === 'EEXIST' || errno === 'ELOOP') return backupPathTaken(destinationPath, error);
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') {
    return new EngineError(
      'READ_ONLY',
      `The backup ${destinationPath} cannot be written: its folder is not writable (${errno}). ` +
        'Choose a writable folder for the backup, or fix its permissions.',
      { cause: error },
    );
  }
  if (errno === 'ENOSPC') {
    return new EngineError(
      'DISK_FULL',
      `The backup ${destinationPath} could not be written: the disk is full. Free some space or choose ` +
        'another place for the backup.',
      { cause: error },
    );
  }
  return null;
}
