/**
 * The password file libpq reads (~/.pgpass, or PGPASSFILE), for a login
 * given no password. node-postgres' own reading of it is deprecated (it
 * prints a warning and goes away in pg 9), so the driver reads it here, the
 * way libpq does: lines host:port:database:user:password, "*" matches
 * anything, "\" escapes ":" and "\", the first matching line wins, and a
 * file others may read is ignored.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PgpassLogin {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** Splits one line on unescaped ':' and removes the escapes. */
function fields(line: string): string[] {
  const result: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
    } else if (char === ':') {
      result.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  result.push(current);
  return result;
}

/** The host as written in the connection string (libpq compares the text: 127.0.0.1 is not localhost). */
function hostMatches(pattern: string, host: string): boolean {
  return pattern === '*' || pattern === host;
}

/** The password of the first line matching `login` in `text`, or undefined. */
export function pgpassLookup(text: string, login: PgpassLogin): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const parts = fields(raw);
    if (parts.length < 5) continue;
    const [host, port, database, user] = parts as [string, string, string, string];
    const password = parts.slice(4).join(':');
    if (
      hostMatches(host, login.host) &&
      (port === '*' || port === String(login.port)) &&
      (database === '*' || database === login.database) &&
      (user === '*' || user === login.user)
    ) {
      return password;
    }
  }
  return undefined;
}

/** The password file's path: PGPASSFILE, else ~/.pgpass. */
export function pgpassPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PGPASSFILE ?? join(homedir(), '.pgpass');
}

/**
 * Reads the password file for `login`; undefined when there is none, it
 * does not match, or group/others may read it (libpq ignores such a file).
 */
export function readPgpass(
  login: PgpassLogin,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const path = pgpassPath(env);
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return undefined;
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) return undefined;
    return pgpassLookup(readFileSync(path, 'utf8'), login);
  } catch {
    return undefined;
  }
}
