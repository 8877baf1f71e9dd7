/**
 * Recently used database connections: dialect, host, port, database, user
 * and TLS choice, newest first, in one private (0600) JSON file of the app's
 * data folder. Never the password: the form asks for it each time.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFileAtomically } from '../../engine/index.js';
import type { ServerConnection } from '../../shared/ipc-contract.js';
import { checkServerConnectionRequest } from '../../shared/ipc-validation.js';

export const RECENT_CONNECTIONS_FILE = 'recent-connections.json';
export const MAX_RECENT_CONNECTIONS = 10;

interface RecentConnectionsFile {
  version: 1;
  connections: ServerConnection[];
}

function sameConnection(a: ServerConnection, b: ServerConnection): boolean {
  return (
    a.dialect === b.dialect &&
    a.host === b.host &&
    a.port === b.port &&
    a.database === b.database &&
    a.user === b.user
  );
}

/** Exactly the fields of a connection: nothing else of a request (its password) can slip in. */
function connectionOf(value: ServerConnection): ServerConnection {
  const { dialect, host, port, database, user, tls, caFile } = value;
  return { dialect, host, port, database, user, tls, caFile };
}

export class RecentConnections {
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, RECENT_CONNECTIONS_FILE);
  }

  /** A missing or damaged file reads as an empty list; entries that no longer validate are dropped. */
  list(): ServerConnection[] {
    let entries: unknown;
    try {
      entries = (JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RecentConnectionsFile>)
        ?.connections;
    } catch {
      return [];
    }
    if (!Array.isArray(entries)) return [];
    const connections: ServerConnection[] = [];
    for (const entry of entries.slice(0, MAX_RECENT_CONNECTIONS)) {
      try {
        // Same checks as the connect form (the file is ours, but another program could edit it).
        connections.push(
          connectionOf(checkServerConnectionRequest({ ...(entry as object), password: '' })),
        );
      } catch {
        // skip it
      }
    }
    return connections;
  }

  /** Moves `connection` to the front (a newer TLS choice replaces the older one). */
  remember(connection: ServerConnection): ServerConnection[] {
    const entry = connectionOf(connection);
    const connections = [
      entry,
      ...this.list().filter((known) => !sameConnection(known, entry)),
    ].slice(0, MAX_RECENT_CONNECTIONS);
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const contents: RecentConnectionsFile = { version: 1, connections };
    writePrivateFileAtomically(this.file, `${JSON.stringify(contents, null, 2)}\n`);
    return connections;
  }
}
