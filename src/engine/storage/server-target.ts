/**
 * Connection strings for vaults kept in a database server:
 *
 *   postgres://user@host:port/database?sslmode=verify-full&sslrootcert=/path/ca.pem
 *   mysql://user@host:port/database?ssl-mode=VERIFY_IDENTITY&ssl-ca=/path/ca.pem
 *
 * The database password never travels in the URL (it would be echoed in
 * argv, shell history, messages and the recent list): a URL holding one is
 * refused with the ways to give it instead.
 */
import { EngineError } from '../errors.js';

export type ServerDialect = 'postgres' | 'mysql';

const SCHEMES: Readonly<Record<string, ServerDialect>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

const DEFAULT_PORTS: Readonly<Record<ServerDialect, number>> = { postgres: 5432, mysql: 3306 };

export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface ServerTarget {
  readonly dialect: ServerDialect;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** null: the client's default (PostgreSQL: PGUSER or the OS user name) */
  readonly user: string | null;
  /**
   * null: no TLS, only for a server on this machine (loopback or a socket);
   * any other host defaults to 'require' (encrypted), so secrets never cross
   * a network in clear unless the URL says sslmode=disable.
   */
  readonly tls: TlsMode | null;
  /** CA certificate file for verify-ca / verify-full */
  readonly caFile: string | null;
  /** for people and identities: the URL without password or TLS file paths */
  readonly display: string;
}

function isLocalHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host.startsWith('/');
}

/** Whether the text names a server (a connection string) rather than a vault file. */
export function isServerTarget(text: string): boolean {
  const match = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(text);
  return match !== null && Object.hasOwn(SCHEMES, match[1]!.toLowerCase());
}

function usage(message: string): EngineError {
  return new EngineError('USAGE', message);
}

const TLS_PARAMS: Readonly<Record<string, TlsMode>> = {
  disable: 'disable',
  disabled: 'disable',
  require: 'require',
  required: 'require',
  'verify-ca': 'verify-ca',
  verify_ca: 'verify-ca',
  'verify-full': 'verify-full',
  verify_identity: 'verify-full',
};

/** Parses a connection string; USAGE with what to change when it cannot be used. */
export function parseServerTarget(text: string): ServerTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(
      'The connection string cannot be read. Write it as postgres://user@host:5432/database or ' +
        'mysql://user@host:3306/database.',
    );
  }
  const dialect = SCHEMES[url.protocol.toLowerCase()];
  if (!dialect) throw usage(`Unknown database kind ${url.protocol}: use postgres:// or mysql://.`);
  if (url.password !== '') {
    throw usage(
      'The connection string holds a password, which would show in the process list, shell history and ' +
        'messages. Remove it from the URL and give it with --db-password-file FILE, --db-password-env VAR, ' +
        (dialect === 'postgres' ? 'PGPASSWORD or ~/.pgpass, ' : 'an option file, ') +
        'or type it at the prompt.',
    );
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw usage('The connection string names no host: add it, e.g. @localhost.');
  const port = url.port === '' ? DEFAULT_PORTS[dialect] : Number(url.port);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw usage(
      'The connection string names no database: add it after the host, e.g. ' +
        `${dialect}://user@${host}:${port}/mydb.`,
    );
  }
  const user = url.username === '' ? null : decodeURIComponent(url.username);
  let tls: TlsMode | null = null;
  let caFile: string | null = null;
  for (const [name, value] of url.searchParams) {
    const key = name.toLowerCase().replace(/_/g, '-');
    if (key === 'sslmode' || key === 'ssl-mode') {
      const mode = TLS_PARAMS[value.toLowerCase()];
      if (!mode) {
        throw usage(
          `Unknown TLS mode ${JSON.stringify(value)}: use disable, require, verify-ca or verify-full.`,
        );
      }
      tls = mode;
    } else if (key === 'sslrootcert' || key === 'ssl-ca') {
      caFile = value;
    } else {
      throw usage(
        `Unknown connection option ${JSON.stringify(name)}: the tool reads sslmode (or ssl-mode) and ` +
          'sslrootcert (or ssl-ca).',
      );
    }
  }
  if (caFile !== null && (tls === null || tls === 'disable' || tls === 'require'))
    tls = 'verify-full';
  if (tls === null && !isLocalHost(host)) tls = 'require';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const display =
    `${dialect}://${user === null ? '' : `${encodeURIComponent(user)}@`}${shownHost}:${port}/` +
    `${encodeURIComponent(database)}`;
  return { dialect, host, port, database, user, tls, caFile, display };
}
