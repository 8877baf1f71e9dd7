/**
 * The database password of a vault in a server, from (first match wins):
 *
 *   1. --db-password-env VAR / --db-password-file FILE (the vault password rules)
 *   2. MySQL: --db-option-file FILE, else ~/.my.cnf when present ([client] password=, user=)
 *   3. PostgreSQL: PGPASSWORD or a matching ~/.pgpass line: null is passed and
 *      the driver's client reads them itself (the CLI never copies them)
 *   4. the prompt on a terminal ("Password for postgres://user@host:5432/db: ")
 *   5. none (no terminal): null, for logins without a password (trust, socket auth)
 *
 * Never argv, never a URL: a connection string holding one is refused in args.ts.
 */
import { existsSync, statSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseServerTarget, pgpassLookup, type ServerTarget } from '../engine/index.js';
import type { DbPasswordOptions, PasswordSource } from './args.js';
import type { CliIo } from './io.js';
import { readPasswords, readSecretFileBytes, type PasswordRole } from './passwords.js';
import { zeroBytes } from './secret-bytes.js';
import { shellQuote } from './shell-quote.js';
import { printable } from './terminal-text.js';

export interface ServerVaultArgs {
  readonly vaultPath: string;
  readonly server: ServerTarget | null;
  readonly dbPassword: DbPasswordOptions;
}

/** How the database password will be had, decided before anything is read or typed. */
export interface ServerLoginPlan {
  /** the vault argument for the engine (a MySQL option file's user= added when the URL has none) */
  readonly vaultPath: string;
  /** a source for readPasswords (env, file or prompt), or null */
  readonly request: { readonly source: PasswordSource; readonly role: PasswordRole } | null;
  /** bytes already read (an option file's password=); the caller zeroes them */
  readonly password: Uint8Array | null;
  /** where the password comes from, for messages ("--db-password-file", "~/.pgpass", ...) */
  readonly origin: string;
}

export function databasePasswordRole(target: ServerTarget): PasswordRole {
  return {
    label: 'database password',
    option: '--db-password',
    prompt: `Password for ${target.display}`,
    confirm: false,
  };
}

const OPTION_FILE_ROLE: PasswordRole = {
  label: 'MySQL option',
  option: '--db-option',
  prompt: '',
  confirm: false,
};

function homeOf(io: CliIo): string {
  return io.env.HOME || homedir();
}

/** Decides where the database password comes from; a vault file needs none. */
export function planServerLogin(args: ServerVaultArgs, io: CliIo): ServerLoginPlan {
  const { server: target, dbPassword } = args;
  const none = { vaultPath: args.vaultPath, request: null, password: null };
  if (target === null) return { ...none, origin: 'none' };
  const role = databasePasswordRole(target);
  if (dbPassword.source.kind !== 'prompt') {
    return {
      ...none,
      request: { source: dbPassword.source, role },
      origin: `--db-password-${dbPassword.source.kind}`,
    };
  }
  let vaultPath = args.vaultPath;
  let user = target.user;
  if (target.dialect === 'mysql') {
    const defaultFile = join(homeOf(io), '.my.cnf');
    const path = dbPassword.optionFile ?? (existsSync(defaultFile) ? defaultFile : undefined);
    if (path !== undefined) {
      const options = readMysqlOptionFile(path, io);
      if (user === null && options.user !== null) {
        user = options.user;
        vaultPath = withUser(args.vaultPath, options.user);
      }
      if (options.password !== null) {
        return { vaultPath, request: null, password: options.password, origin: path };
      }
    }
  }
  const withTarget = { ...none, vaultPath };
  if (target.dialect === 'postgres') {
    if (io.env.PGPASSWORD !== undefined) return { ...withTarget, origin: 'PGPASSWORD' };
    const pgpass = pgpassEntryFor({ ...target, user }, io);
    if (pgpass) return { ...withTarget, origin: pgpass };
  }
  if (!io.stdin.isTTY) return { ...withTarget, origin: 'none' };
  const shown = user === target.user ? role : databasePasswordRole(parseServerTarget(vaultPath));
  return { ...withTarget, request: { source: { kind: 'prompt' }, role: shown }, origin: 'prompt' };
}

/** The connection string with a user name (no password: the URL never holds one). */
function withUser(text: string, user: string): string {
  const url = new URL(text);
  url.username = encodeURIComponent(user);
  return url.toString();
}

export interface ReadLogin {
  readonly vaultPath: string;
  /** null: the client's own sources, or no password */
  readonly serverPassword: Uint8Array | null;
  /** the other passwords asked for, in order */
  readonly passwords: Uint8Array[];
}

/**
 * Reads the database password (when the plan asks for one) and the vault
 * passwords in one terminal session: the database's first (it is needed first).
 */
export async function readLoginAndPasswords(
  plan: ServerLoginPlan,
  requests: readonly { readonly source: PasswordSource; readonly role: PasswordRole }[],
  io: CliIo,
  command: string,
): Promise<ReadLogin> {
  try {
    const all = plan.request ? [plan.request, ...requests] : requests;
    const read = await readPasswords(all, io, command);
    const serverPassword = plan.request ? read.shift()! : plan.password;
    return { vaultPath: plan.vaultPath, serverPassword, passwords: read };
  } catch (error) {
    zeroBytes(plan.password);
    throw error;
  }
}

export interface MysqlClientOptions {
  readonly user: string | null;
  readonly password: Uint8Array | null;
}

/**
 * The [client] section of a MySQL option file: `user=` and `password=` (quotes
 * stripped, `#`/`;` comments, `!include` lines ignored). A bare `password`
 * line means "ask", as for the mysql client.
 */
export function parseMysqlOptionText(text: string): {
  user: string | null;
  password: string | null;
} {
  let section = '';
  let user: string | null = null;
  let password: string | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || line.startsWith('!'))
      continue;
    const header = /^\[([^\]]*)\]/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    if (section !== 'client') continue;
    const equals = line.indexOf('=');
    const name = (equals < 0 ? line : line.slice(0, equals))
      .trim()
      .toLowerCase()
      .replace(/_/g, '-');
    const value = equals < 0 ? null : optionValue(line.slice(equals + 1));
    if (name === 'user') user = value;
    else if (name === 'password') password = value;
  }
  return { user: user === '' ? null : user, password };
}

/** A value as the mysql client reads it: quoted (escapes kept simple), or up to a # comment. */
function optionValue(raw: string): string {
  const text = raw.trim();
  const quote = text[0];
  if ((quote === '"' || quote === "'") && text.lastIndexOf(quote) > 0) {
    return text
      .slice(1, text.lastIndexOf(quote))
      .replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', s: ' ' })[c] ?? c);
  }
  const comment = text.indexOf('#');
  return (comment < 0 ? text : text.slice(0, comment)).trim();
}

function readMysqlOptionFile(path: string, io: CliIo): MysqlClientOptions {
  const content = readSecretFileBytes(
    path,
    OPTION_FILE_ROLE,
    (line) => io.stderr.write(`${printable(line)}\n`),
    '--db-option-file (or ~/.my.cnf)',
  );
  try {
    const parsed = parseMysqlOptionText(content.toString('utf8'));
    return {
      user: parsed.user,
      password: parsed.password === null ? null : new TextEncoder().encode(parsed.password),
    };
  } finally {
    content.fill(0);
  }
}

/**
 * The ~/.pgpass (or $PGPASSFILE) that holds a line for this login, as libpq
 * and node-postgres match it (host:port:database:user, `*` wildcards), or
 * null. A file other users can read is ignored by the client: said here.
 * Only whether a line matches is kept, never the password.
 */
export function pgpassEntryFor(
  target: Pick<ServerTarget, 'host' | 'port' | 'database' | 'user'>,
  io: CliIo,
): string | null {
  const path = io.env.PGPASSFILE || join(homeOf(io), '.pgpass');
  let text: string;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return null;
    if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
      io.stderr.write(
        `warning: ${printable(shellQuote(path))} is ignored by the PostgreSQL client because other users can ` +
          `access it: chmod 600 ${printable(shellQuote(path))}\n`,
      );
      return null;
    }
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const user = target.user ?? io.env.PGUSER ?? io.env.USER ?? safeUserName();
  // The driver's own matcher, so both agree on which line applies (localhost, wildcards, escapes).
  const found = pgpassLookup(text, { ...target, user }) !== undefined;
  return found ? path : null;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
