/**
 * The open server vault's connection (no password) for the worker command:
 * main shows a server vault as dialect://user@host:port/database; its TLS
 * settings come from the recent connection of the same login (or the connect
 * form), else the CLI's default for the host.
 */
import { isLocalHost } from '../../core/local-host.js';
import type { ServerConnection, VaultSummary } from '../../shared/ipc-contract.js';

type Identity = Pick<ServerConnection, 'dialect' | 'host' | 'port' | 'database' | 'user'>;

function identityOf(vault: VaultSummary): Identity | null {
  if (vault.driver !== 'postgres' && vault.driver !== 'mysql') return null;
  let url: URL;
  try {
    url = new URL(vault.path);
  } catch {
    return null;
  }
  const port = Number(url.port);
  if (!Number.isInteger(port) || port <= 0) return null;
  return {
    dialect: vault.driver,
    host: decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1'),
    port,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    user: decodeURIComponent(url.username),
  };
}

/** One login: the same server, database and user (TLS settings aside). */
function loginKey(login: Identity): string {
  return JSON.stringify([login.dialect, login.host, login.port, login.database, login.user]);
}

/** null for a file vault, or a display string that cannot be read back. */
export function serverConnectionOf(
  vault: VaultSummary,
  known: readonly ServerConnection[],
): ServerConnection | null {
  const identity = identityOf(vault);
  if (!identity) return null;
  const match = known.find((connection) => loginKey(connection) === loginKey(identity));
  if (match) return { ...identity, tls: match.tls, caFile: match.caFile };
  return {
    ...identity,
    tls: isLocalHost(identity.host) ? 'disable' : 'verify-full',
    caFile: null,
  };
}
