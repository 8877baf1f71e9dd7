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
import { isLocalHost } from '../../../core/local-host.js';
import type { ServerDialect } from '../../../core/vault-drivers.js';
import { EngineError } from '../../errors.js';

export type { ServerDialect };

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
   * null: no TLS, only for a server on this machine (localhost, a loopback
   * address or a socket); any other host defaults to 'verify-full' (the
   * certificate must name the host), so the password goes only to the server
   * named unless the URL asks for less (sslmode=require or disable).
   */
  readonly tls: TlsMode | null;
  /** CA certificate file for verify-ca / verify-full */
  readonly caFile: string | null;
  /**
   * MySQL full authentication without verified TLS: the password encrypted to
   * this RSA public key file (mysql's --server-public-key-path), or to the key
   * the server sends when `getServerPublicKey` (--get-server-public-key).
   * Neither: refused, since any server can send a key.
   */
  readonly serverPublicKeyFile: string | null;
  readonly getServerPublicKey: boolean;
  /** for people and identities: the URL without password or TLS file paths */
  readonly display: string;
}

/** Whether the server must prove it is the host named (its certificate checked for that name). */
export function serverIdentityVerified(target: Pick<ServerTarget, 'tls'>): boolean {
  return target.tls === 'verify-full';
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
  const params = readParameters(url.searchParams, dialect);
  let tls = params.tls;
  if (params.caFile !== null && (tls === null || tls === 'disable' || tls === 'require'))
    tls = 'verify-full';
  if (tls === null && !isLocalHost(host)) tls = 'verify-full';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const display =
    `${dialect}://${user === null ? '' : `${encodeURIComponent(user)}@`}${shownHost}:${port}/` +
    `${encodeURIComponent(database)}`;
  return {
    dialect,
    host,
    port,
    database,
    user,
    tls,
    caFile: params.caFile,
    serverPublicKeyFile: params.serverPublicKeyFile,
    getServerPublicKey: params.getServerPublicKey,
    display,
  };
}

interface Parameters {
  readonly tls: TlsMode | null;
  readonly caFile: string | null;
  readonly serverPublicKeyFile: string | null;
  readonly getServerPublicKey: boolean;
}

/** The one name of each parameter (its spellings: libpq's, the mysql client's, with _ or -). */
const PARAMETER_NAMES: Readonly<Record<string, string>> = {
  sslmode: 'sslmode',
  'ssl-mode': 'sslmode',
  sslrootcert: 'sslrootcert',
  'ssl-ca': 'sslrootcert',
  'get-server-public-key': 'get-server-public-key',
  'server-public-key-path': 'server-public-key-path',
};

const MYSQL_ONLY = new Set(['get-server-public-key', 'server-public-key-path']);

const BOOLEAN_VALUES: Readonly<Record<string, boolean>> = {
  '1': true,
  true: true,
  on: true,
  '0': false,
  false: false,
  off: false,
};

/** A table entry by its own key only ("constructor" is no parameter name). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The URL's parameters; a repeated one is refused (which would win is not for the tool to guess). */
function readParameters(search: URLSearchParams, dialect: ServerDialect): Parameters {
  const values = new Map<string, string>();
  for (const [name, value] of search) {
    const key = own(PARAMETER_NAMES, name.toLowerCase().replace(/_/g, '-'));
    if (key === undefined || (MYSQL_ONLY.has(key) && dialect !== 'mysql')) {
      throw usage(
        `Unknown connection option ${JSON.stringify(name)}: the tool reads sslmode (or ssl-mode) and ` +
          'sslrootcert (or ssl-ca)' +
          (dialect === 'mysql' ? ', get-server-public-key and server-public-key-path.' : '.'),
      );
    }
    if (values.has(key)) {
      throw usage(
        `The connection string gives ${key} more than once (${JSON.stringify(name)}): give it once, with the ` +
          'value you mean.',
      );
    }
    values.set(key, value);
  }
  const mode = values.get('sslmode');
  const tls = mode === undefined ? null : own(TLS_PARAMS, mode.toLowerCase());
  if (tls === undefined) {
    throw usage(
      `Unknown TLS mode ${JSON.stringify(mode)}: use disable, require, verify-ca or verify-full.`,
    );
  }
  const fetchKey = values.get('get-server-public-key');
  const getServerPublicKey =
    fetchKey === undefined ? false : own(BOOLEAN_VALUES, fetchKey.toLowerCase());
  if (getServerPublicKey === undefined) {
    throw usage(
      `get-server-public-key=${JSON.stringify(fetchKey)} is not understood: write true or false.`,
    );
  }
  return {
    tls,
    caFile: values.get('sslrootcert') ?? null,
    serverPublicKeyFile: values.get('server-public-key-path') ?? null,
    getServerPublicKey,
  };
}
