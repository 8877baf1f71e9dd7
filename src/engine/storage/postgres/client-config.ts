/**
 * node-postgres settings for a ServerTarget: TLS from sslmode/sslrootcert,
 * the session's settings sent in the startup packet (no extra round trip),
 * and the password: the caller's, else PGPASSWORD, else the password file.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import { EngineError } from '../../errors.js';
import type { ServerConnectOptions } from '../driver.js';
import type { ServerTarget } from '../server/server-target.js';
import { KEEPALIVE_DELAY_MS } from '../server/server-timeouts.js';
import { readPgpass } from './pgpass.js';

export const APPLICATION_NAME = 'vaultstore-admin';

/**
 * A statement running longer than this is stopped (a hung server or a lock
 * wait not covered by lock_timeout): far above any page, count or batch.
 */
export const STATEMENT_TIMEOUT_MS = 10 * 60 * 1000;

/** Connecting (TCP, TLS, authentication) waits at least this long. */
export const MIN_CONNECT_TIMEOUT_MS = 10_000;

/** node-postgres' `ssl` option for the target's TLS mode (false: plain TCP). */
export function tlsOptionsFor(
  target: Pick<ServerTarget, 'tls' | 'caFile' | 'display'>,
  readCa: (path: string) => Buffer = (path) => readFileSync(path),
): false | ConnectionOptions {
  // No mode: a server on this machine (any other host defaults to verify-full); plain TCP.
  if (target.tls === null || target.tls === 'disable') return false;
  // require: encrypted, the certificate not checked (libpq's meaning).
  if (target.tls === 'require') return { rejectUnauthorized: false };
  const ca =
    target.caFile === null ? {} : { ca: readCaFile(target.caFile, target.display, readCa) };
  if (target.tls === 'verify-ca') {
    // The chain is checked, the host name is not.
    return { rejectUnauthorized: true, ...ca, checkServerIdentity: () => undefined };
  }
  return { rejectUnauthorized: true, ...ca };
}

function readCaFile(path: string, display: string, readCa: (path: string) => Buffer): Buffer {
  try {
    return readCa(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new EngineError(
      'USAGE',
      `The CA certificate file ${path} (sslrootcert) for ${display} cannot be read` +
        `${typeof code === 'string' ? ` (${code})` : ''}. Check the path in the connection string and that ` +
        'you may read the file.',
      { cause: error },
    );
  }
}

/** lock_timeout 0 means "wait forever" in PostgreSQL: a zero busy timeout means "do not wait". */
export function lockTimeoutMs(busyTimeoutMs: number): number {
  return Math.max(1, busyTimeoutMs);
}

/** The password bytes as text: refuses bytes that are not UTF-8 (the server would never match them). */
export function passwordText(password: Uint8Array, display: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(password);
  } catch {
    throw new EngineError(
      'USAGE',
      `The database password for ${display} is not valid UTF-8 text. Give it as UTF-8 text ` +
        '(check the encoding of the password file).',
    );
  }
}

type PasswordSource = (parameters?: unknown) => Promise<string>;

/**
 * Asked only when the server wants a password: the given one, else
 * PGPASSWORD, else the password file, as libpq does. Undefined (none found)
 * makes the server's refusal the error.
 */
export function passwordSource(password: Uint8Array | null, display: string): PasswordSource {
  // `password` is the store's own copy (zeroed when it closes); decoded only when asked.
  return async (parameters?: unknown) => {
    if (password !== null) return passwordText(password, display);
    const fromEnv = process.env.PGPASSWORD;
    if (fromEnv !== undefined) return fromEnv;
    const p = (parameters ?? {}) as Partial<Record<'host' | 'port' | 'database' | 'user', unknown>>;
    // undefined (none found): node-postgres then fails the login, reported as SERVER_AUTH
    return readPgpass({
      host: String(p.host ?? ''),
      port: Number(p.port ?? 5432),
      database: String(p.database ?? ''),
      user: String(p.user ?? ''),
    }) as string;
  };
}

/** The client settings of one connection (the store's, or the backup's second one). */
export function clientConfig(
  options: Pick<ServerConnectOptions, 'target' | 'readOnly' | 'busyTimeoutMs' | 'serverTimeoutMs'>,
  password: PasswordSource,
  ssl: false | ConnectionOptions,
): pg.ClientConfig {
  const { target } = options;
  // Off before the first statement, whatever the login's settings (the others: session-timeouts.ts).
  const settings = ['-c TimeZone=UTC', '-c idle_in_transaction_session_timeout=0'];
  if (options.readOnly) settings.push('-c default_transaction_read_only=on');
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    ...(target.user === null ? {} : { user: target.user }),
    password,
    ssl,
    // SCRAM-SHA-256-PLUS when the server offers it: the proof is bound to this TLS session.
    enableChannelBinding: ssl !== false,
    application_name: APPLICATION_NAME,
    options: settings.join(' '),
    lock_timeout: lockTimeoutMs(options.busyTimeoutMs),
    statement_timeout: STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: Math.max(MIN_CONNECT_TIMEOUT_MS, options.busyTimeoutMs),
    // A silent network: keepalives probe an idle connection; no answer to a statement is bounded.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    query_timeout: options.serverTimeoutMs,
  };
}
