/**
 * Bounds on waiting for a database server, so an unattended run cannot hang
 * forever on a silent network (packets dropped, no reset): TCP keepalives on
 * every connection, and a limit on how long one statement may go without an
 * answer, after which the connection is dropped and reported.
 */
import { EngineError } from '../../errors.js';

/**
 * Default limit for one statement's answer: above PostgreSQL's
 * statement_timeout the tool sets (10 min), so a live server always answers
 * (or cancels) first; only a silent network or server reaches it.
 */
export const DEFAULT_SERVER_TIMEOUT_MS = 15 * 60 * 1000;

/** Idle time before the first TCP keepalive probe (the OS default is 2 hours). */
export const KEEPALIVE_DELAY_MS = 30_000;

/** The limit asked for (a whole number of ms, at least 1), or the default. */
export function serverTimeoutOf(value: number | undefined): number {
  if (value === undefined) return DEFAULT_SERVER_TIMEOUT_MS;
  if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new EngineError(
      'USAGE',
      `The server timeout must be a whole number of milliseconds, at least 1 (got ${value}).`,
    );
  }
  return value;
}

/** "90 s", "15 min" */
function duration(ms: number): string {
  const seconds = ms / 1000;
  return seconds >= 120 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

/** The server did not answer one statement within the limit: the connection was dropped. */
export function serverSilentError(
  display: string,
  timeoutMs: number,
  cause?: unknown,
): EngineError {
  return new EngineError(
    'CONNECTION_LOST',
    `${display} did not answer for ${duration(timeoutMs)} (the server timeout), so the connection was ` +
      'dropped: the network or the server stalled. Batches committed before are kept; check the network ' +
      'and the server, then run the rotation again with --resume. If single statements on this server ' +
      'really take longer, raise the limit (CLI: --server-timeout SECONDS).',
    { cause },
  );
}
