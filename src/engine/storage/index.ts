/**
 * Opening a vault file with the best driver available. See docs/storage.md
 * for the two drivers and their limits.
 */
import { resolve } from 'node:path';
import { EngineError } from '../errors.js';
import { openBetterSqlite3, probeBetterSqlite3 } from './better-sqlite3-driver.js';
import type { SqlConnection } from './connection.js';
import { assertWritableLocation, inspectVaultFile, sidecarFiles } from './file-checks.js';
import type { VaultFileFacts } from './file-checks.js';
import { openSqlJs } from './sqljs-driver.js';
import { toEngineError } from './sqlite-errors.js';
import type { OpenVaultOptions, VaultDriverName, VaultStore } from './types.js';
import { createVaultStore } from './vault-store.js';

export type * from './types.js';
export { formatSqliteDateTime, isSqliteDateTime } from './datetime.js';
export { findVaultTables, missingVaultColumns } from './schema.js';
export type { TableColumns } from './schema.js';
export { VAULT_COLUMNS, quoteIdentifier } from './sql-text.js';
export { classifyStoredValue, V2_PREFIX } from './value-kind.js';
export type { StoredValueKind } from './value-kind.js';
export { probeBetterSqlite3 } from './better-sqlite3-driver.js';
export { DEFAULT_PAGE_SIZE, QUICK_CHECK_MAX_BYTES } from './vault-store.js';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

function busyTimeoutOf(options: OpenVaultOptions): number {
  const value = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new EngineError(
      'USAGE',
      `The busy timeout must be a whole number of milliseconds (got ${value}).`,
    );
  }
  return value;
}

async function chooseDriver(options: OpenVaultOptions): Promise<VaultDriverName> {
  const preference = options.driver ?? 'auto';
  if (preference === 'sql.js') return 'sql.js';
  const probe = await probeBetterSqlite3(options.nativeBinding);
  if (probe.ok) return 'better-sqlite3';
  if (preference === 'auto') return 'sql.js';
  throw new EngineError(
    'NATIVE_UNAVAILABLE',
    `The better-sqlite3 native module could not be loaded (${probe.reason}). Rebuild it for this runtime ` +
      '(npm rebuild better-sqlite3, or @electron/rebuild for the desktop app), or use the sql.js driver.',
  );
}

async function connect(
  driver: VaultDriverName,
  file: VaultFileFacts,
  displayPath: string,
  readOnly: boolean,
  busyTimeoutMs: number,
  nativeBinding: string | undefined,
): Promise<SqlConnection> {
  if (driver === 'sql.js') {
    return openSqlJs({ realPath: file.realPath, displayPath, readOnly, busyTimeoutMs });
  }
  return openBetterSqlite3({
    realPath: file.realPath,
    readOnly,
    busyTimeoutMs,
    ...(nativeBinding === undefined ? {} : { nativeBinding }),
  });
}

/**
 * A writer that died in the middle of a commit leaves a torn file and a hot
 * journal, which a read-only connection cannot roll back
 * (SQLITE_READONLY_ROLLBACK). Where the file and its folder are writable, a
 * short read-write connection does what any SQLite writer does on open: it
 * rolls the journal back (SQLite checks under its locks that the journal is
 * hot; a live writer's journal is left alone). Failures fall through to the
 * read-only open, which reports them.
 */
async function rollBackHotJournal(
  file: VaultFileFacts,
  displayPath: string,
  busyTimeoutMs: number,
  nativeBinding: string | undefined,
): Promise<void> {
  if (!sidecarFiles(file.realPath).journalInUse) return;
  try {
    assertWritableLocation(file.realPath, displayPath);
    const connection = await connect(
      'better-sqlite3',
      file,
      displayPath,
      false,
      busyTimeoutMs,
      nativeBinding,
    );
    try {
      connection.all('SELECT count(*) FROM sqlite_master');
    } finally {
      connection.close();
    }
  } catch {
    // not writable, locked by a live writer, ...: the read-only open says what is wrong
  }
}

/**
 * Opens a vault file. Never creates it, never modifies it by opening or
 * reading it (except rolling back a crashed writer's hot journal, as SQLite
 * itself does on any read-write open). Throws EngineError: FILE_NOT_FOUND,
 * NOT_SQLITE, CORRUPT, NO_VAULT_TABLE, READ_ONLY (when not readOnly and the
 * file or folder is not writable), LOCKED, NATIVE_UNAVAILABLE (driver
 * 'better-sqlite3' forced), IO.
 */
export async function openVault(path: string, options: OpenVaultOptions = {}): Promise<VaultStore> {
  const displayPath = resolve(path);
  const readOnly = options.readOnly ?? false;
  const busyTimeoutMs = busyTimeoutOf(options);
  const file = inspectVaultFile(displayPath);
  if (!readOnly) assertWritableLocation(file.realPath, displayPath);
  const driver = await chooseDriver(options);
  if (readOnly && driver === 'better-sqlite3') {
    await rollBackHotJournal(file, displayPath, busyTimeoutMs, options.nativeBinding);
  }
  let connection: SqlConnection;
  try {
    connection = await connect(
      driver,
      file,
      displayPath,
      readOnly,
      busyTimeoutMs,
      options.nativeBinding,
    );
  } catch (error) {
    throw toEngineError(error, { path: displayPath, action: 'opening', busyTimeoutMs });
  }
  const store = createVaultStore(connection, {
    path: displayPath,
    realPath: file.realPath,
    readOnly,
    busyTimeoutMs,
  });
  try {
    store.verifyOnOpen(file.sizeBytes);
  } catch (error) {
    store.close();
    throw error;
  }
  return store;
}
