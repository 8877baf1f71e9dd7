/** SQLite datetimes as VaultStore stores them: text "YYYY-MM-DD HH:MM:SS" in UTC. */
import { EngineError } from '../../errors.js';

const SQLITE_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** "YYYY-MM-DD HH:MM:SS" in UTC (the library's format; compares correctly as text). */
export function formatSqliteDateTime(date: Date): string {
  const time = date.getTime();
  // Years outside 0000..9999 would not compare correctly as text.
  if (!Number.isFinite(time) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw new EngineError(
      'USAGE',
      `Cannot store the date ${String(date)}: use a date between years 0 and 9999.`,
    );
  }
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function isSqliteDateTime(text: string): boolean {
  return SQLITE_DATETIME.test(text);
}
