/**
 * Settings a role or database may carry (ALTER ROLE ... SET) that end a
 * session the tool is still using: the backup's snapshot is idle in its
 * transaction while the file is written, and the store's session idles while
 * the workers derive keys. The tool's own sessions turn them off, as they set
 * their own statement_timeout and lock_timeout. pg_settings lists only the
 * settings this server has (idle_session_timeout: 14+, transaction_timeout: 17+).
 */
export const SESSION_TIMEOUTS = [
  'idle_in_transaction_session_timeout',
  'idle_session_timeout',
  'transaction_timeout',
] as const;

export const SESSION_TIMEOUTS_OFF_SQL =
  "SELECT set_config(name, '0', false) FROM pg_settings WHERE name = ANY($1::text[])";

/** SQLSTATE of the server ending a session for each setting. */
const ENDED_BY: Readonly<Record<string, (typeof SESSION_TIMEOUTS)[number]>> = {
  '25P03': 'idle_in_transaction_session_timeout',
  '57P05': 'idle_session_timeout',
  '25P04': 'transaction_timeout',
};

/** The setting that made the server end the session, if that is why it ended. */
export function sessionEndedBySetting(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (ENDED_BY[code] ?? null) : null;
}
