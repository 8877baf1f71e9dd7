/**
 * Checks on the vault file made before SQLite touches it, so that a missing,
 * empty, foreign or truncated file gets a precise error and is never created
 * or modified by opening it.
 */
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError } from '../../errors.js';
import { corruptError, readOnlyError, toEngineError } from './errors.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

export interface VaultFileHeader {
  readonly pageSize: number;
  /** header bytes 18-19: 1 = rollback journal, 2 = WAL */
  readonly writeVersion: number;
  readonly readVersion: number;
}

export interface VaultFileFacts {
  /** symlinks resolved: SQLite names its journal after this path */
  readonly realPath: string;
  readonly sizeBytes: number;
  readonly header: VaultFileHeader;
}

function readPrefix(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function statOrThrow(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw toEngineError(error, { path, action: 'opening', busyTimeoutMs: 0 });
  }
}

function notSqlite(path: string, reason: string): EngineError {
  return new EngineError(
    'NOT_SQLITE',
    `${path} is not a SQLite database (${reason}). Choose the vault file your application uses (a SQLite database file).`,
  );
}

function looksLikeText(bytes: Buffer): boolean {
  return (
    bytes.length > 0 &&
    bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127))
  );
}

function parseHeader(
  path: string,
  realPath: string,
  header: Buffer,
  sizeBytes: number,
): VaultFileHeader {
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corruptError(path, `its header is damaged: invalid page size ${rawPageSize}`);
  }
  const writeVersion = header[18] ?? 0;
  const readVersion = header[19] ?? 0;
  // The in-header page count is only valid when the change counter matches "version valid for".
  const pageCount = header.readUInt32BE(28);
  const headerIsCurrent = header.readUInt32BE(24) === header.readUInt32BE(92);
  if (
    headerIsCurrent &&
    pageCount > 0 &&
    sizeBytes < pageCount * pageSize &&
    !hasSidecarJournal(realPath)
  ) {
    throw corruptError(
      path,
      `the file is truncated: its header says ${pageCount * pageSize} bytes, the file has ${sizeBytes}`,
    );
  }
  return { pageSize, writeVersion, readVersion };
}

/** While a journal or WAL exists, the file alone may legitimately look short. */
function hasSidecarJournal(realPath: string): boolean {
  const sidecars = sidecarFiles(realPath);
  return sidecars.walBytes !== null || sidecars.journalInUse;
}

/** Throws FILE_NOT_FOUND, NOT_SQLITE, CORRUPT or IO; never creates or changes the file. */
export function inspectVaultFile(path: string): VaultFileFacts {
  const stats = statOrThrow(path);
  if (stats.isDirectory()) throw notSqlite(path, 'it is a folder');
  if (!stats.isFile()) throw notSqlite(path, 'it is not a regular file');
  if (stats.size === 0) {
    throw notSqlite(path, 'the file is empty (0 bytes), so it holds no vault');
  }
  let realPath: string;
  let prefix: Buffer;
  try {
    realPath = realpathSync(path);
    prefix = readPrefix(realPath, HEADER_BYTES);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new EngineError(
        'IO',
        `The vault ${path} cannot be read: permission denied (${code}). Give your user read access to the file, or run as a user who has it.`,
        { cause: error },
      );
    }
    throw toEngineError(error, { path, action: 'reading', busyTimeoutMs: 0 });
  }
  const magicLength = Math.min(prefix.length, SQLITE_MAGIC.length);
  if (!prefix.subarray(0, magicLength).equals(SQLITE_MAGIC.subarray(0, magicLength))) {
    const what = looksLikeText(prefix)
      ? 'it is a text file'
      : 'it does not start with the SQLite header';
    throw notSqlite(path, what);
  }
  if (prefix.length < HEADER_BYTES) {
    throw corruptError(
      path,
      `the file is truncated: only ${prefix.length} bytes, not even a full header`,
    );
  }
  return {
    realPath,
    sizeBytes: stats.size,
    header: parseHeader(path, realPath, prefix, stats.size),
  };
}

/** Writing needs the file and its folder (SQLite's journal, sql.js's temp file) writable. */
export function assertWritableLocation(realPath: string, displayPath: string): void {
  try {
    accessSync(realPath, constants.W_OK);
  } catch (error) {
    throw readOnlyError(displayPath, `the file is read-only (${errnoOf(error)})`, error);
  }
  const folder = dirname(realPath);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw readOnlyError(
      displayPath,
      `its folder ${folder} is not writable (${errnoOf(error)}); SQLite writes its journal next to the vault`,
      error,
    );
  }
}

function errnoOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'access denied';
}

export interface SidecarFiles {
  /** size of `<vault>-wal`, null when there is none */
  readonly walBytes: number | null;
  /**
   * `<vault>-journal` is not empty: a writer is active, or one crashed (SQLite
   * writes the journal's magic only when it commits, so an active writer's
   * journal cannot be told from a crashed one by its content).
   */
  readonly journalInUse: boolean;
}

export function sidecarFiles(realPath: string): SidecarFiles {
  let walBytes: number | null = null;
  try {
    walBytes = statSync(`${realPath}-wal`).size;
  } catch {
    walBytes = null;
  }
  let journalInUse = false;
  try {
    journalInUse = statSync(`${realPath}-journal`).size > 0;
  } catch {
    journalInUse = false;
  }
  return { walBytes, journalInUse };
}
