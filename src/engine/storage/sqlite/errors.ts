/**
 * Turns what SQLite, the drivers and the file system throw into EngineErrors
 * that say what happened and what to do. better-sqlite3 gives SQLite result
 * codes (`SQLITE_BUSY`, ...); sql.js only gives SQLite's message text.
 */
import { EngineError, isEngineError } from '../../errors.js';

export interface ErrorContext {
  /** the vault file */
  readonly path: string;
  /** what we were doing, e.g. "reading", "writing to", "backing up" */
  readonly action: string;
  readonly busyTimeoutMs: number;
}

type SqlitePrimaryCode =
  | 'BUSY'
  | 'LOCKED'
  | 'FULL'
  | 'READONLY'
  | 'CORRUPT'
  | 'NOTADB'
  | 'CANTOPEN'
  | 'IOERR'
  | 'PERM'
  | 'TOOBIG'
  | 'OTHER';

/** sqlite3_errstr() texts, for sql.js which reports only the message. */
const MESSAGE_CODES: readonly (readonly [string, SqlitePrimaryCode])[] = [
  ['database is locked', 'BUSY'],
  ['database table is locked', 'LOCKED'],
  ['database or disk is full', 'FULL'],
  ['attempt to write a readonly database', 'READONLY'],
  ['database disk image is malformed', 'CORRUPT'],
  ['file is not a database', 'NOTADB'],
  ['unable to open database file', 'CANTOPEN'],
  ['disk I/O error', 'IOERR'],
  ['access permission denied', 'PERM'],
  ['string or blob too big', 'TOOBIG'],
];

function sqliteCode(error: unknown): { primary: SqlitePrimaryCode; extended: string } | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const primary = code.slice('SQLITE_'.length).split('_')[0] ?? '';
    const known = MESSAGE_CODES.some(([, c]) => c === primary);
    return { primary: known ? (primary as SqlitePrimaryCode) : 'OTHER', extended: code };
  }
  const message = error instanceof Error ? error.message : '';
  for (const [text, primary] of MESSAGE_CODES) {
    if (message.includes(text)) return { primary, extended: `SQLITE_${primary}` };
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function lockedError(path: string, busyTimeoutMs: number, cause?: unknown): EngineError {
  return new EngineError(
    'LOCKED',
    `Another program holds a lock on the vault ${path} (waited ${busyTimeoutMs / 1000} s). ` +
      'Close the application that uses this vault, or wait until it has finished writing, then try again.',
    { cause },
  );
}

export function readOnlyError(path: string, reason: string, cause?: unknown): EngineError {
  return new EngineError(
    'READ_ONLY',
    `The vault ${path} cannot be written: ${reason}. Make the file and its folder writable ` +
      '(and check the disk is not mounted read-only) or copy the vault to a writable folder; ' +
      'to only inspect it, open it read-only.',
    { cause },
  );
}

export function corruptError(path: string, detail: string, cause?: unknown): EngineError {
  return new EngineError(
    'CORRUPT',
    `The vault ${path} is damaged (${detail}). Do not rotate it: restore it from a backup ` +
      '(SQLite\'s ".recover" command may rescue what is left).',
    { cause },
  );
}

export function diskFullError(path: string, action: string, cause?: unknown): EngineError {
  return new EngineError(
    'DISK_FULL',
    `The disk is full while ${action} ${path}; the change was not made. Free some disk space and try again.`,
    { cause },
  );
}

/**
 * Permission denied while opening or reading: the user cannot read the file
 * or cannot enter a folder on its path (not a question of writing).
 */
export function accessDeniedError(
  path: string,
  action: string,
  code: string,
  cause?: unknown,
): EngineError {
  return new EngineError(
    'IO',
    `The vault ${path} cannot be read: permission denied while ${action} it (${code}). Your user cannot read the ` +
      'file or cannot enter one of the folders on its path: give it read access to the file and search (x) access ' +
      'to each folder above it, or run as a user who has them.',
    { cause },
  );
}

/** SQLite (better-sqlite3 caps it at V8's string size) or V8 refused one oversized value. */
export function valueTooLargeError(
  path: string,
  action: string,
  detail: string,
  cause?: unknown,
): EngineError {
  return new EngineError(
    'IO',
    `A value in the vault ${path} is too large to handle while ${action} it (${detail}): one value (or row) is over ` +
      'about 512 MB, the most a string can hold in this tool. Nothing was changed. VaultStore values are never ' +
      'that large, so that record is probably not a vault value: find it, e.g. with sqlite3 and ' +
      '"SELECT id, length(vault_value) FROM <table> ORDER BY 2 DESC LIMIT 5", fix or remove it with its ' +
      'application (or keep a copy of it elsewhere), then run again.',
    { cause },
  );
}

/** Node's errors for a string V8 cannot make (sql.js decoding an oversized value). */
function isStringTooLong(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_STRING_TOO_LONG') return true;
  return error instanceof RangeError && /Invalid string length/i.test(error.message);
}

const CHECK_DISK = 'Check that the disk is available and try again.';

function ioError(
  path: string,
  action: string,
  detail: string,
  cause: unknown,
  whatToDo = CHECK_DISK,
): EngineError {
  const capitalised = `${action[0]?.toUpperCase() ?? ''}${action.slice(1)}`;
  return new EngineError('IO', `${capitalised} ${path} failed (${detail}). ${whatToDo}`, { cause });
}

/** Node file-system errors (errno codes). */
function fromFileSystem(code: string, error: unknown, context: ErrorContext): EngineError | null {
  const { path, action } = context;
  switch (code) {
    case 'ENOENT':
      return new EngineError(
        'FILE_NOT_FOUND',
        `The file ${path} does not exist (while ${action} it). Check the path and try again.`,
        { cause: error },
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return diskFullError(path, action, error);
    case 'EACCES':
    case 'EPERM':
      if (action === 'opening' || action === 'reading') {
        return accessDeniedError(path, action, code, error);
      }
      return readOnlyError(path, `permission denied while ${action} it (${code})`, error);
    case 'EROFS':
      return readOnlyError(path, `permission denied while ${action} it (${code})`, error);
    default:
      return null;
  }
}

export function toEngineError(error: unknown, context: ErrorContext): EngineError {
  if (isEngineError(error)) return error;
  const { path, action, busyTimeoutMs } = context;
  const sqlite = sqliteCode(error);
  if (sqlite) {
    switch (sqlite.primary) {
      case 'BUSY':
      case 'LOCKED':
        return lockedError(path, busyTimeoutMs, error);
      case 'FULL':
        return diskFullError(path, action, error);
      case 'READONLY':
        if (sqlite.extended === 'SQLITE_READONLY_ROLLBACK') {
          return readOnlyError(
            path,
            'a program stopped in the middle of writing it and SQLite needs write access to repair it ' +
              '(open it once without read-only, or with its application)',
            error,
          );
        }
        return readOnlyError(path, `SQLite refused to write (${describe(error)})`, error);
      case 'PERM':
        return readOnlyError(path, `access denied (${describe(error)})`, error);
      case 'CORRUPT':
      case 'NOTADB':
        // The SQLite header was checked before opening: this is a damaged file.
        return corruptError(path, `SQLite: ${describe(error)}`, error);
      case 'TOOBIG':
        return valueTooLargeError(path, action, `SQLite: ${describe(error)}`, error);
      case 'CANTOPEN':
      case 'IOERR':
        return ioError(path, action, `SQLite: ${describe(error)}`, error);
      case 'OTHER':
        return ioError(
          path,
          action,
          `SQLite: ${describe(error)}`,
          error,
          'Nothing was changed. A trigger or constraint in the file may refuse the change: check the vault with its application, then try again.',
        );
    }
  }
  if (isStringTooLong(error)) return valueTooLargeError(path, action, describe(error), error);
  const errno = (error as { code?: unknown } | null)?.code;
  if (typeof errno === 'string') {
    const mapped = fromFileSystem(errno, error, context);
    if (mapped) return mapped;
  }
  return ioError(path, action, describe(error), error);
}
