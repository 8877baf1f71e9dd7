/**
 * mysql2 / MariaDB / MySQL failures as EngineErrors: what happened, what to
 * do, with the server shown as target.display (never a password).
 */
import { EngineError } from '../../errors.js';
import type { EngineErrorCode } from '../../errors.js';
import { certificateError, isCertificateError } from '../server/tls-errors.js';
import { FullAuthRefused } from './auth-plugins.js';
import { hostNotFoundError } from '../server/host-not-found.js';

interface MysqlErrorShape {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly sqlMessage?: unknown;
  readonly message?: unknown;
  readonly fatal?: unknown;
}

export interface MysqlErrorContext {
  /** the server as people read it (target.display) */
  readonly display: string;
  /** "connecting to", "reading", "writing to", ... */
  readonly action: string;
  readonly busyTimeoutMs: number;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_HOST_IS_BLOCKED',
  'HANDSHAKE_NO_SSL_SUPPORT',
]);

const LOST = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_NEW_ABORTING_CONNECTION',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);

const AUTH = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_HOST_NOT_PRIVILEGED',
  'ER_PASSWORD_NO_MATCH',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'AUTH_SWITCH_PLUGIN_ERROR',
]);

const PERMISSION = new Set([
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
]);

const LOCKED = new Set(['ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_LOCK_ABORTED']);

const READ_ONLY = new Set([
  'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
  'ER_OPTION_PREVENTS_STATEMENT',
]);

function codeOf(error: MysqlErrorShape): string {
  return typeof error.code === 'string' ? error.code : '';
}

/** The server's own words (no statement text, no parameters). */
function serverWords(error: MysqlErrorShape): string {
  const text =
    typeof error.sqlMessage === 'string' ? error.sqlMessage : String(error.message ?? '');
  return text === '' ? codeOf(error) : text;
}

/** mysql2 refuses commands on a connection that already died with this message. */
function closedConnection(error: MysqlErrorShape): boolean {
  return (
    typeof error.message === 'string' &&
    /connection is in closed state|Connection lost|closed the connection/i.test(error.message)
  );
}

export function isConnectionLost(error: unknown): boolean {
  const e = (error ?? {}) as MysqlErrorShape;
  return LOST.has(codeOf(e)) || closedConnection(e);
}

function tlsProblem(error: MysqlErrorShape): boolean {
  const code = codeOf(error);
  return /CERT|SSL|TLS|SELF_SIGNED|ERR_TLS|HANDSHAKE_NO_SSL/i.test(code);
}

export function connectionLostError(display: string, action: string, cause?: unknown): EngineError {
  return new EngineError(
    'CONNECTION_LOST',
    `The connection to ${display} was lost while ${action} the vault (the connection was ended by the ` +
      'server or an administrator, or the server restarted). Batches already committed are kept; once the ' +
      'server is back, run the rotation again with --resume to finish it.',
    { cause },
  );
}

function make(code: EngineErrorCode, message: string, cause: unknown): EngineError {
  return new EngineError(code, message, { cause });
}

/** Translates whatever mysql2 threw (already-EngineErrors pass through). */
export function toMysqlEngineError(error: unknown, context: MysqlErrorContext): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof FullAuthRefused) return error.engineError;
  const e = (error ?? {}) as MysqlErrorShape;
  const code = codeOf(e);
  const { display, action } = context;
  if (isCertificateError(error)) return certificateError(display, 'mysql', error);
  if (tlsProblem(e)) {
    return make(
      'SERVER_UNREACHABLE',
      `A secure (TLS) connection to ${display} could not be set up (${code}). Check the server's TLS ` +
        'setup and the ssl-mode / ssl-ca options in the connection string (ssl-ca must be the CA that signed ' +
        "the server's certificate).",
      error,
    );
  }
  const notFound = hostNotFoundError(code, display, error);
  if (notFound) return notFound;
  if (UNREACHABLE.has(code)) {
    return make(
      'SERVER_UNREACHABLE',
      `No MySQL/MariaDB server answers at ${display} (${code}). Check the host and port, that the server ` +
        'is running and accepts TCP connections, and any firewall in between.',
      error,
    );
  }
  if (AUTH.has(code)) {
    return make(
      'SERVER_AUTH',
      `${display} refused the login (${code}: wrong user name or password, or this user may not log in from ` +
        'this host). Check the user in the connection string and the password you gave.',
      error,
    );
  }
  if (code === 'ER_BAD_DB_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return make(
      'DATABASE_NOT_FOUND',
      `The database in ${display} does not exist, or this user may not use it (${serverWords(e)}). ` +
        'Check the database name in the connection string, or ask the administrator to GRANT access to it.',
      error,
    );
  }
  if (LOST.has(code) || closedConnection(e) || (e.fatal === true && action !== 'connecting to')) {
    return connectionLostError(display, action, error);
  }
  if (PERMISSION.has(code)) {
    return make(
      'SERVER_PERMISSION',
      `The user of ${display} may not do this while ${action} the vault (${serverWords(e)}). Nothing of ` +
        'this batch was written. Connect as a user with SELECT and UPDATE on the vault table, or ask the ' +
        'administrator to GRANT them.',
      error,
    );
  }
  if (LOCKED.has(code)) {
    return make(
      'LOCKED',
      `Records of the vault in ${display} stayed locked by another session for more than ` +
        `${Math.max(1, Math.ceil(context.busyTimeoutMs / 1000))} s while ${action} it (${code}); nothing of ` +
        'this batch was written. Wait for the other program to finish, or give a longer busy timeout, then ' +
        'run again (with --resume if a rotation was interrupted).',
      error,
    );
  }
  if (READ_ONLY.has(code)) {
    return make(
      'READ_ONLY',
      `${display} does not accept writes (${serverWords(e)}). Connect to a primary server that accepts ` +
        'writes, or run without writing (dry run).',
      error,
    );
  }
  if (code === 'ER_NO_SUCH_TABLE') {
    return make(
      'TABLE_NOT_FOUND',
      `A table of the vault in ${display} is gone (${serverWords(e)}). Check that nobody dropped or renamed ` +
        'it, then run again.',
      error,
    );
  }
  return make(
    'IO',
    `The server ${display} reported an error while ${action} the vault: ${serverWords(e)}. ` +
      'Check the server log; run again once it is fixed.',
    error,
  );
}
