/**
 * What people read about each driver (SQLite files and servers), keyed by its
 * name; the driver names of every layer derive from this table. The engine's
 * driver registry (src/engine/storage/registry.ts) is the runtime list; its
 * descriptors take their words from here, and the app and CLI read them here
 * too, so no other layer spells out a driver name. A new driver: its folder
 * in src/engine/storage/, one registry line, and one entry below (a test
 * checks that the two lists name the same drivers).
 */

export interface VaultDriverText {
  /** short name: "better-sqlite3 (native)" */
  readonly label: string;
  /** one sentence on what this driver means for the user (reports) */
  readonly summary: string;
  /** the app's badge on an open vault */
  readonly badge: string;
  /** the native driver did not load: the app says so (warning tone) */
  readonly fallback: boolean;
  /** a SQLite file, or a table in a database server */
  readonly holds: 'file' | 'server';
}

export const VAULT_DRIVER_TEXT = {
  'better-sqlite3': {
    label: 'better-sqlite3 (native)',
    summary: 'better-sqlite3 (native).',
    badge: 'SQLite: native (better-sqlite3)',
    fallback: false,
    holds: 'file',
  },
  'sql.js': {
    label: 'sql.js (WebAssembly fallback)',
    summary: 'sql.js (WebAssembly fallback: the whole file in memory, no SQLite file locks).',
    badge: 'SQLite: sql.js (WebAssembly), whole file in memory',
    fallback: true,
    holds: 'file',
  },
  postgres: {
    label: 'PostgreSQL (pg)',
    summary: 'PostgreSQL server (node-postgres).',
    badge: 'PostgreSQL server (postgres)',
    fallback: false,
    holds: 'server',
  },
  mysql: {
    label: 'MySQL/MariaDB (mysql2)',
    summary: 'MySQL or MariaDB server (mysql2).',
    badge: 'MySQL/MariaDB server (mysql)',
    fallback: false,
    holds: 'server',
  },
} as const satisfies Record<string, VaultDriverText>;

/** The drivers the engine can open a vault with: SQLite files (native, WebAssembly fallback) and servers. */
export type VaultDriverName = keyof typeof VAULT_DRIVER_TEXT;

/** Drivers for vault files (SQLite); `--driver` chooses among them. */
export type FileDriverName = {
  [Name in VaultDriverName]: (typeof VAULT_DRIVER_TEXT)[Name]['holds'] extends 'file'
    ? Name
    : never;
}[VaultDriverName];

/** Drivers for vault tables in a database server, chosen by the connection string's scheme. */
export type ServerDriverName = Exclude<VaultDriverName, FileDriverName>;

/** The database server families a connection string may name (postgres:, mysql:/mariadb:). */
export type ServerDialect = 'postgres' | 'mysql';

/** A driver choice for a vault file: one by name, or 'auto'. */
export type VaultDriverPreference = 'auto' | FileDriverName;

/** Words for a driver name; a name from elsewhere (an older report) gets its own name back. */
export function vaultDriverText(name: string): VaultDriverText {
  return Object.hasOwn(VAULT_DRIVER_TEXT, name)
    ? VAULT_DRIVER_TEXT[name as VaultDriverName]
    : {
        label: name,
        summary: `${name}.`,
        badge: `SQLite: ${name}`,
        fallback: false,
        holds: 'file',
      };
}
