/**
 * The rotation's server lock on PostgreSQL: a session advisory lock whose
 * key is derived from database, schema and table, and the error that names
 * who holds it when it is taken.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../../errors.js';
import type { PgRun } from './sql.js';

/**
 * The advisory lock key of one table: 64 bits of SHA-256 over database,
 * schema and table, so two tools (or machines) rotating the same table meet
 * on the same key and other tables never collide in practice.
 */
export function advisoryLockKey(database: string, schema: string, table: string): string {
  const digest = createHash('sha256')
    .update(`vaultstore-admin\0${database}\0${schema}\0${table}`)
    .digest();
  return digest.readBigInt64BE(0).toString();
}

/** ROTATION_IN_PROGRESS naming the server sessions that hold the table's lock (when the login may see them). */
export async function rotationInProgressError(
  run: PgRun,
  display: string,
  table: string,
  key: string,
): Promise<EngineError> {
  const holders = await run<Record<string, string | null>>('reading', {
    text: `SELECT l.pid::text AS pid, a.usename AS user_name, a.application_name AS application,
          a.client_addr::text AS client, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS since
        FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = ($1::bigint >> 32) & 4294967295 AND l.objid::bigint = $1::bigint & 4294967295
          AND l.objsubid = 1`,
    values: [key],
  }).catch(() => []);
  const who = holders
    .map((h) =>
      [
        `server process ${h.pid}`,
        h.user_name && `user ${h.user_name}`,
        h.application && `application ${h.application}`,
        h.client && `from ${h.client}`,
        h.since && `connected since ${h.since} UTC`,
      ]
        .filter(Boolean)
        .join(', '),
    )
    .join('; ');
  return new EngineError(
    'ROTATION_IN_PROGRESS',
    `Another rotation of the table ${JSON.stringify(table)} in ${display} is running` +
      `${who ? ` (${who})` : ''}: it holds the table's lock on the server. Wait for it to finish (or stop ` +
      'it), then run again.',
  );
}
