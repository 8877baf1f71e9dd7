/**
 * Opening a vault: a SQLite file with the best SQLite driver available, or a
 * table in a database server through the driver of its connection string's
 * scheme. See docs/storage.md for the drivers and their limits.
 */
import { resolve } from 'node:path';
import { EngineError } from '../errors.js';
import { markTiming } from '../timing-marks.js';
import type { SqlConnection } from './sqlite/connection.js';
import type { VaultDriverDescriptor } from './driver.js';
import { VAULT_DRIVERS, serverDriver, vaultDriver } from './registry.js';
import { isServerTarget, parseServerTarget } from './server/server-target.js';
import { assertWritableLocation, inspectVaultFile, sidecarFiles } from './sqlite/file-checks.js';
import type { VaultFileFacts } from './sqlite/file-checks.js';
import { toEngineError } from './sqlite/errors.js';
import { serverTimeoutOf } from './server/server-timeouts.js';
import type { FileDriverName, OpenVaultOptions, VaultStore } from './types.js';
import { createVaultStore } from './sqlite/store.js';

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

/**
 * The driver asked for, or with 'auto' the first of the registry that loads
 * here (better-sqlite3, else sql.js).
 */
export async function chooseDriver(
  options: Pick<OpenVaultOptions, 'driver' | 'nativeBinding'>,
): Promise<VaultDriverDescriptor<FileDriverName>> {
  const preference = options.driver ?? 'auto';
  if (preference !== 'auto') {
    const driver = vaultDriver(preference);
    const probe = await driver.probe(options.nativeBinding);
    if (probe.ok) return driver;
    throw new EngineError('NATIVE_UNAVAILABLE', driver.unavailableMessage(probe.reason));
  }
  const reasons: string[] = [];
  for (const driver of VAULT_DRIVERS) {
    const probe = await driver.probe(options.nativeBinding);
    if (probe.ok) return driver;
    reasons.push(`${driver.name}: ${probe.reason}`);
  }
  // Unreachable while sql.js (pure WebAssembly) is registered; a guard for future registries.
  throw new EngineError(
    'NATIVE_UNAVAILABLE',
    `No SQLite driver loads here (${reasons.join('; ')}).`,
  );
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
  driver: VaultDriverDescriptor<FileDriverName>,
  file: VaultFileFacts,
  displayPath: string,
  busyTimeoutMs: number,
  nativeBinding: string | undefined,
): Promise<void> {
  if (!sidecarFiles(file.realPath).journalInUse) return;
  try {
    assertWritableLocation(file.realPath, displayPath);
    const connection = await driver.open({
      realPath: file.realPath,
      displayPath,
      readOnly: false,
      busyTimeoutMs,
      nativeBinding,
    });
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
  markTiming('vault-open');
  const store = isServerTarget(path)
    ? await openServerVault(path, options)
    : await openVaultFile(path, options);
  markTiming('vault-opened');
  return store;
}

async function openVaultFile(path: string, options: OpenVaultOptions): Promise<VaultStore> {
  const displayPath = resolve(path);
  const readOnly = options.readOnly ?? false;
  const busyTimeoutMs = busyTimeoutOf(options);
  const file = inspectVaultFile(displayPath);
  if (!readOnly) assertWritableLocation(file.realPath, displayPath);
  const driver = await chooseDriver(options);
  if (readOnly && driver.sharesFileWithOtherPrograms) {
    await rollBackHotJournal(driver, file, displayPath, busyTimeoutMs, options.nativeBinding);
  }
  let connection: SqlConnection;
  try {
    connection = await driver.open({
      realPath: file.realPath,
      displayPath,
      readOnly,
      busyTimeoutMs,
      nativeBinding: options.nativeBinding,
    });
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
    await store.verifyOnOpen(file.sizeBytes);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/**
 * Connects to a vault table's database server (a connection string: see
 * server-target.ts). The server driver checks the schema; the password
 * bytes stay the caller's to zero.
 */
async function openServerVault(text: string, options: OpenVaultOptions): Promise<VaultStore> {
  const target = parseServerTarget(text);
  return serverDriver(target.dialect).connect({
    target,
    password: options.serverPassword ?? null,
    readOnly: options.readOnly ?? false,
    busyTimeoutMs: busyTimeoutOf(options),
    serverTimeoutMs: serverTimeoutOf(options.serverTimeoutMs),
    nativeBinding: options.nativeBinding,
  });
}
