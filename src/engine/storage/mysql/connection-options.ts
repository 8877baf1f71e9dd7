/**
 * mysql2 settings for a ServerTarget: TLS mode mapping, session-independent
 * options (big numbers as text, datetimes as text), the password as mysql2
 * needs it (a string; never logged, never in a message).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { userInfo } from 'node:os';
import type { ConnectionOptions, SslOptions } from 'mysql2/promise';
import { EngineError } from '../../errors.js';
import type { ServerTarget } from '../server/server-target.js';
import { mysqlAuthPlugins } from './auth-plugins.js';
import { KEEPALIVE_DELAY_MS } from '../server/server-timeouts.js';

/** How long to wait for the server to answer a connection attempt. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * TLS for a target. mysql2 has no "preferred" mode (try TLS, fall back to
 * plain): without a mode (only a server on this machine has none) the
 * connection is plain, as with `disable`; mysql_native_password and the
 * caching_sha2 fast path send only a scramble, and full authentication is
 * refused (auth-plugins.ts).
 */
export function mysqlSslOptions(
  target: ServerTarget,
  readCaFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): SslOptions | undefined {
  if (target.tls === null || target.tls === 'disable') return undefined;
  if (target.tls === 'require') return { rejectUnauthorized: false };
  if (target.tls === 'verify-full' && isIP(target.host) !== 0) {
    // mysql2 checks the certificate against the host NAME only: with an address it would check
    // "localhost" instead, so a certificate for localhost would pass for any server.
    throw new EngineError(
      'USAGE',
      `verify-full (the default for a server on another machine) checks that the server's certificate ` +
        'names the host, and for MySQL/MariaDB this ' +
        `tool can only check a host name, not the address ${target.host}. Connect by the name the ` +
        'certificate gives (e.g. mysql://user@db.example.com/db), or use ssl-mode=VERIFY_CA to check ' +
        'the certificate chain without the name.',
    );
  }
  const ca = target.caFile === null ? undefined : readCa(target, readCaFile);
  const trust = ca === undefined ? {} : { ca };
  // verify-ca checks the certificate chain; verify-full also the host name in the certificate.
  return { ...trust, rejectUnauthorized: true, verifyIdentity: target.tls === 'verify-full' };
}

function readCa(target: ServerTarget, readCaFile: (path: string) => string): string {
  const caFile = target.caFile!;
  try {
    return readCaFile(caFile);
  } catch (error) {
    throw new EngineError(
      'FILE_NOT_FOUND',
      `The CA certificate ${caFile} given for ${target.display} cannot be read ` +
        `(${(error as { code?: string }).code ?? String(error)}). Check the ssl-ca path in the connection string.`,
      { cause: error },
    );
  }
}

function readPublicKey(target: ServerTarget, readKeyFile: (path: string) => string): string | null {
  const file = target.serverPublicKeyFile;
  if (file === null) return null;
  try {
    return readKeyFile(file);
  } catch (error) {
    throw new EngineError(
      'FILE_NOT_FOUND',
      `The server public key file ${file} given for ${target.display} cannot be read ` +
        `(${(error as { code?: string }).code ?? String(error)}). Check server-public-key-path in the ` +
        'connection string.',
      { cause: error },
    );
  }
}

/** The user name the mysql client would use: the one in the URL, else the OS login name. */
export function mysqlUser(target: ServerTarget): string {
  if (target.user !== null) return target.user;
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** Everything mysql2 needs to open a session to `target`. */
export function mysqlConnectionOptions(
  target: ServerTarget,
  password: Uint8Array | null,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): ConnectionOptions {
  const ssl = mysqlSslOptions(target, readFile);
  const publicKey = readPublicKey(target, readFile);
  return {
    host: target.host,
    port: target.port,
    user: mysqlUser(target),
    database: target.database,
    ...(password === null ? {} : { password: Buffer.from(password).toString('utf8') }),
    ...(ssl === undefined ? {} : { ssl }),
    // Full authentication (the password itself) only to a verified server or to the user's key.
    authPlugins: mysqlAuthPlugins({ target, publicKey }),
    charset: 'UTF8MB4_GENERAL_CI',
    // DATETIME / TIMESTAMP as the server's text: converted here, never through a JS Date.
    dateStrings: true,
    timezone: 'Z',
    // BIGINT ids and counts beyond 2^53 stay exact (as text).
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A silent network: keepalives probe an idle connection (statements are bounded by the session).
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_DELAY_MS,
  };
}
