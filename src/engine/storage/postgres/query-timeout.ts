/**
 * node-postgres' query_timeout: how to tell that it fired, and how to drop
 * the connection it leaves with a statement still pending.
 */
import type pg from 'pg';

/** node-postgres' query_timeout fired: the server did not answer in time. */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout';
}

/** Closes the socket at once: the statement sent is still pending, the session is unusable. */
export function dropConnection(client: pg.Client): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
}
