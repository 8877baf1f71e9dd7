/**
 * node-postgres and PostgreSQL errors as EngineErrors: what happened and what
 * to do, naming the server by its URL without password (the password is never
 * in a message: node-postgres does not put it in its errors, and messages
 * here are built from SQLSTATE codes and the target's display form).
 */
import { EngineError, isEngineError } from '../../errors.js';
import { certificateError, isCertificateError } from '../server/tls-errors.js';
import { sessionEndedBySetting } from './session-timeouts.js';
import { hostNotFoundError } from '../server/host-not-found.js';

export interface PgErrorContext {
  /** the target's URL without password */
  readonly display: string;
  /** what we were doing: "connecting to", "reading", "writing to" */
  readonly action: string;
  readonly busyTimeoutMs: number;
  /** whether the connection had been established (a broken one is CONNECTION_LOST, not UNREACHABLE) */
  readonly connected: boolean;
}

const UNREACHABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const BROKEN_ERRNOS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Messages node-postgres uses for a connection that ended under it. */
const BROKEN_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'connection timeout',
];

const RESUME_HINT =
  'Batches committed before it broke are kept; check that the server runs, then run the rotation again ' +
  'with --resume.';

function fieldOf(error: unknown, name: string): string | undefined {
  const value = (error as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function serverMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function connectionLostError(display: string, cause?: unknown): EngineError {
  const setting = sessionEndedBySetting(cause);
  if (setting !== null) {
    return new EngineError(
      'CONNECTION_LOST',
      `${display} ended the tool's session because of the server setting ${setting} (set for this login ` +
        `or database). Turn it off for this login (ALTER ROLE <login> SET ${setting} = 0), or use a ` +
        `login without it. ${RESUME_HINT}`,
      { cause },
    );
  }
  return new EngineError(
    'CONNECTION_LOST',
    `The connection to ${display} was lost (the server restarted or ended the session). ${RESUME_HINT}`,
    { cause },
  );
}

/** SQLSTATE classes and codes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
export function pgEngineError(error: unknown, context: PgErrorContext): EngineError {
  if (isEngineError(error)) return error;
  const { display, action } = context;
  const sqlstate = fieldOf(error, 'code') ?? '';
  const message = serverMessage(error);
  const make = (code: EngineError['code'], text: string): EngineError =>
    new EngineError(code, text, { cause: error });

  if (sqlstate === '28P01' || sqlstate === '28000') {
    return make(
      'SERVER_AUTH',
      `${display} refused the login (${message}). Check the user name in the connection string and the ` +
        'password (--db-password-file, --db-password-env, PGPASSWORD or ~/.pgpass), and that the server ' +
        'allows this user to connect from here (pg_hba.conf).',
    );
  }
  // node-postgres, when the server asks for a password and none was found anywhere
  if (
    /client password must be a string|password authentication failed|no password/i.test(message)
  ) {
    return make(
      'SERVER_AUTH',
      `${display} asks for a password and none was given. Give it with --db-password-file, ` +
        '--db-password-env, PGPASSWORD or ~/.pgpass, or type it at the prompt.',
    );
  }
  if (sqlstate === '3D000') {
    return make(
      'DATABASE_NOT_FOUND',
      `${display}: the server has no such database. Check the database name at the end of the connection ` +
        'string (\\l in psql lists them).',
    );
  }
  if (sqlstate === '42501') {
    return make(
      'SERVER_PERMISSION',
      `The server refused ${action} ${display}: ${message}. Nothing of this batch was written. Use a login ` +
        'that may SELECT and UPDATE the vault table (GRANT SELECT, UPDATE ON <table> TO <user>).',
    );
  }
  if (sqlstate === '25006') {
    return make(
      'READ_ONLY',
      `${display} is read-only for this session (${message}): nothing was written. Connect to the primary ` +
        'server, not a read-only replica, and open the vault without read-only.',
    );
  }
  if (sqlstate === '55P03' || sqlstate === '40P01') {
    return make(
      'LOCKED',
      `Another session holds a lock on the vault table in ${display}, still after ${context.busyTimeoutMs} ms ` +
        `(${message}); nothing of this batch was written. Wait for it to finish, or raise the busy ` +
        'timeout, then run again (with --resume for an interrupted rotation).',
    );
  }
  if (sqlstate === '57014') {
    return make(
      'IO',
      `A statement on ${display} took too long and was cancelled (${message}). Check the server's load, ` +
        'then run again (with --resume for an interrupted rotation).',
    );
  }
  if (sqlstate === '53100') {
    return make(
      'DISK_FULL',
      `The server of ${display} has no disk space left (${message}); nothing of this batch was written. ` +
        'Free space on the server, then run again with --resume.',
    );
  }
  if (sqlstate === '42P01') {
    return make(
      'TABLE_NOT_FOUND',
      `The vault table is gone from ${display} (${message}). Check that nobody dropped or renamed it.`,
    );
  }
  const errno = fieldOf(error, 'code');
  const brokenNow =
    sqlstate.startsWith('08') ||
    sqlstate === '57P01' ||
    sqlstate === '57P02' ||
    sqlstate === '57P03' ||
    (errno !== undefined && BROKEN_ERRNOS.has(errno)) ||
    BROKEN_MESSAGES.some((text) => message.includes(text));
  if (!context.connected) {
    if (isCertificateError(error)) return certificateError(display, 'postgres', error);
    const notFound = hostNotFoundError(errno, display, error);
    if (notFound) return notFound;
    if (
      (errno !== undefined && UNREACHABLE_ERRNOS.has(errno)) ||
      brokenNow ||
      /ssl|tls|certificate/i.test(message) ||
      /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(errno ?? '')
    ) {
      return make(
        'SERVER_UNREACHABLE',
        `No PostgreSQL server could be reached at ${display} (${message}). Check the host and port, that ` +
          'the server runs and accepts TCP connections from here, and the TLS settings (sslmode, sslrootcert).',
      );
    }
  } else if (brokenNow || sessionEndedBySetting(error) !== null) {
    return connectionLostError(display, error);
  }
  return make('IO', `The server reported an error ${action} ${display}: ${message}.`);
}
