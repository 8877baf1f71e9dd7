/**
 * The ledger's times come from the database server's clock, not the writer's:
 * workers and the coordinator run on machines whose clocks may disagree, and
 * "lost" (a worker silent for longer than the lock time) compares the time a
 * worker was last seen with now. Written as the server's time; read back as
 * the reader's own clock (shifted by the server's now, taken in the same
 * statement), so every comparison with Date.now() stays on one clock.
 */
import type { ServerSql, SqlRow } from '../../storage/types.js';

/** SQL for the server's time in ms since the epoch (the statement's, as a whole number). */
export function serverNowMs(dialect: ServerSql['dialect']): string {
  return dialect === 'postgres'
    ? `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`
    : `CAST(FLOOR(UNIX_TIMESTAMP(NOW(3)) * 1000) AS SIGNED)`;
}

/** The column a read adds with serverNowMs, which toReaderClock needs. */
export const SERVER_NOW_COLUMN = 'server_now_ms';

/** A select list of every column plus the server's now. */
export const withServerNow = (dialect: ServerSql['dialect']): string =>
  `*, ${serverNowMs(dialect)} AS ${SERVER_NOW_COLUMN}`;

/**
 * Turns a server time read in `row` into the reader's clock: the same distance
 * before the reader's now as before the server's.
 */
export function toReaderClock(row: SqlRow, serverMs: number): number {
  const serverNow = row[SERVER_NOW_COLUMN];
  // Every read of a timed row selects it (withServerNow): its absence is a bug, not a clock.
  if (serverNow === undefined || serverNow === null)
    throw new Error(`${SERVER_NOW_COLUMN} not selected`);
  return Date.now() - (Number(serverNow) - serverMs);
}
