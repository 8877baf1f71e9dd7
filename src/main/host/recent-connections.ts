/**
 * Recently used database connections: dialect, host, port, database, user
 * and TLS choice, newest first (recent-list.ts). Never the password: the
 * form asks for it each time.
 */
import type { ServerConnection } from '../../shared/ipc-contract.js';
import { checkServerConnectionRequest } from '../../shared/ipc-validation.js';
import { RecentList } from './recent-list.js';

export const RECENT_CONNECTIONS_FILE = 'recent-connections.json';
export const MAX_RECENT_CONNECTIONS = 10;

function sameConnection(a: ServerConnection, b: ServerConnection): boolean {
  return (
    a.dialect === b.dialect &&
    a.host === b.host &&
    a.port === b.port &&
    a.database === b.database &&
    a.user === b.user
  );
}

/** Exactly the fields of a connection, checked as the connect form's: nothing else (its password) slips in. */
function connectionOf(value: unknown): ServerConnection {
  const { dialect, host, port, database, user, tls, caFile } = checkServerConnectionRequest({
    ...(value as object),
    password: '',
  });
  return { dialect, host, port, database, user, tls, caFile };
}

export class RecentConnections extends RecentList<ServerConnection> {
  constructor(dataDir: string) {
    super(dataDir, {
      fileName: RECENT_CONNECTIONS_FILE,
      field: 'connections',
      max: MAX_RECENT_CONNECTIONS,
      read: connectionOf,
      same: sameConnection,
    });
  }
}
