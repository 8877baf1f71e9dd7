/**
 * One adapter per storage driver for the driver-independent contract suite
 * (all-drivers.contract.test.ts): each makes a fresh vault with the VaultStore
 * library's own DDL for its database, opens it with openVault, and reaches
 * the data from outside the store (another connection or session) to change
 * a value, read raw rows back and make a trigger. The outside side is written
 * independently of the engine, so the suite never checks the code with itself.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { libraryDdl, serverLibraryDdl } from '../../../../../bench/vaultstore-ddl.js';
import { openVault } from '../../../../../src/engine/storage/index.js';
import type {
  FileDriverName,
  VaultDriverName,
  VaultStore,
} from '../../../../../src/engine/storage/index.js';
import { makeTempDir } from '../../../../support/fixtures.js';
import {
  testDatabase,
  type ServerKind,
  type SqlSession,
} from '../../../../support/servers/index.js';

/** A record as the suite writes it; datetimes are "YYYY-MM-DD HH:MM:SS" (UTC). */
export interface ContractRecord {
  readonly id: string;
  readonly token: string;
  readonly value: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly softDeletedAt: string;
}

/** A row as read from outside the store: every column as text, datetimes as "YYYY-MM-DD HH:MM:SS". */
export interface RawRow {
  readonly id: string;
  readonly vault_token: string;
  readonly vault_value: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string;
  readonly soft_deleted_at: string;
}

export interface ContractVault {
  /** the vault table */
  readonly table: string;
  /** what openVault is given (file path or connection string) */
  readonly target: string;
  open(options?: { readonly readOnly?: boolean }): Promise<VaultStore>;
  /** another program changes one record's value (its own connection, committed) */
  setValueOutside(id: string, value: string): Promise<void>;
  /** every row of the vault table read from outside, by id */
  rowsOutside(): Promise<Map<string, RawRow>>;
  /** ids in the database's own key order (rowid for SQLite, the id column's collation on a server) */
  idsInKeyOrderOutside(): Promise<string[]>;
  /** a trigger on the vault table made outside the store */
  createTriggerOutside(name: string): Promise<void>;
  /** where a backup may be written (a folder that dispose() removes) */
  readonly scratchFolder: string;
  dispose(): Promise<void>;
}

export interface ContractAdapter {
  readonly driver: VaultDriverName;
  /**
   * sql.js works on an in-memory copy of the file: after another program
   * commits, writeBatch refuses with FILE_CHANGED (nothing written) and a
   * fresh open sees the change. The others see other sessions' commits live.
   */
  readonly readsSnapshot: boolean;
  /** the database server it needs (the suite skips with the reason when absent), or null */
  readonly server: ServerKind | null;
  /** how the store names the vault table: PostgreSQL qualifies it with its schema */
  readonly tableName: string;
  createVault(records: readonly ContractRecord[]): Promise<ContractVault>;
}

const TABLE = 'vault';
const META = 'vault_meta';
const COLUMNS = 'id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at';

function valuesOf(record: ContractRecord): string[] {
  return [
    record.id,
    record.token,
    record.value,
    record.createdAt,
    record.updatedAt,
    record.expiresAt,
    record.softDeletedAt,
  ];
}

function byId(rows: readonly RawRow[]): Map<string, RawRow> {
  return new Map(rows.map((row) => [row.id, row]));
}

function sqliteAdapter(driver: FileDriverName): ContractAdapter {
  return {
    driver,
    readsSnapshot: driver === 'sql.js',
    server: null,
    tableName: TABLE,
    async createVault(records) {
      const temp = makeTempDir('vsa-contract-');
      const path = join(temp.path, 'vault.db');
      const db = new Database(path);
      try {
        db.exec(libraryDdl(TABLE, META));
        const insert = db.prepare(`INSERT INTO ${TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
        db.transaction(() => records.forEach((record) => insert.run(...valuesOf(record))))();
      } finally {
        db.close();
      }
      const opened: VaultStore[] = [];
      const withOutside = <T>(readonly: boolean, run: (outside: Database.Database) => T): T => {
        const outside = new Database(path, { readonly, fileMustExist: true });
        try {
          return run(outside);
        } finally {
          outside.close();
        }
      };
      return {
        table: TABLE,
        target: path,
        scratchFolder: temp.path,
        async open(options = {}) {
          const store = await openVault(path, { driver, readOnly: options.readOnly ?? false });
          opened.push(store);
          return store;
        },
        async setValueOutside(id, value) {
          withOutside(false, (outside) =>
            outside.prepare(`UPDATE ${TABLE} SET vault_value = ? WHERE id = ?`).run(value, id),
          );
        },
        async rowsOutside() {
          return withOutside(true, (outside) =>
            byId(outside.prepare(`SELECT ${COLUMNS} FROM ${TABLE}`).all() as RawRow[]),
          );
        },
        async idsInKeyOrderOutside() {
          return withOutside(true, (outside) =>
            (
              outside.prepare(`SELECT id FROM ${TABLE} ORDER BY rowid`).pluck().all() as unknown[]
            ).map(String),
          );
        },
        async createTriggerOutside(name) {
          withOutside(false, (outside) =>
            outside.exec(`CREATE TRIGGER ${name} AFTER UPDATE ON ${TABLE} BEGIN SELECT 1; END`),
          );
        },
        async dispose() {
          for (const store of opened.splice(0)) await store.close();
          temp.dispose();
        },
      };
    },
  };
}

/**
 * Per dialect: how the outside session reads datetimes back as
 * "YYYY-MM-DD HH:MM:SS" text. The PostgreSQL session runs in UTC, so
 * timestamptz text reads "... +00", which is cut (any fraction would stay
 * and make the comparison fail, as it should).
 */
const SERVER_SQL = {
  postgres: {
    setup: ["SET TIME ZONE 'UTC'"],
    insert: `INSERT INTO ${TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    update: `UPDATE ${TABLE} SET vault_value = $1 WHERE id = $2`,
    rows:
      'SELECT id, vault_token, vault_value, created_at::text AS created_at, updated_at::text AS updated_at, ' +
      `expires_at::text AS expires_at, soft_deleted_at::text AS soft_deleted_at FROM ${TABLE}`,
    keyOrder: `SELECT id FROM ${TABLE} ORDER BY id`,
    trigger: (name: string) => [
      `CREATE FUNCTION ${name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      `CREATE TRIGGER ${name} BEFORE UPDATE ON ${TABLE} FOR EACH ROW EXECUTE FUNCTION ${name}_fn()`,
    ],
  },
  mysql: {
    setup: ["SET time_zone = '+00:00'"],
    insert: `INSERT INTO ${TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    update: `UPDATE ${TABLE} SET vault_value = ? WHERE id = ?`,
    rows:
      'SELECT id, vault_token, vault_value, CAST(created_at AS CHAR) AS created_at, ' +
      'CAST(updated_at AS CHAR) AS updated_at, CAST(expires_at AS CHAR) AS expires_at, ' +
      `CAST(soft_deleted_at AS CHAR) AS soft_deleted_at FROM ${TABLE}`,
    keyOrder: `SELECT id FROM ${TABLE} ORDER BY id`,
    trigger: (name: string) => [
      `CREATE TRIGGER ${name} BEFORE UPDATE ON ${TABLE} FOR EACH ROW SET NEW.vault_value = NEW.vault_value`,
    ],
  },
} as const;

function serverAdapter(kind: ServerKind): ContractAdapter {
  const sql = SERVER_SQL[kind];
  return {
    driver: kind,
    readsSnapshot: false,
    server: kind,
    tableName: kind === 'postgres' ? `public.${TABLE}` : TABLE,
    async createVault(records) {
      const db = await testDatabase(kind);
      const temp = makeTempDir('vsa-contract-');
      let outside: SqlSession | null = null;
      const opened: VaultStore[] = [];
      try {
        // the owner login, as an application would use it
        outside = await db.connect();
        for (const statement of sql.setup) await outside.query(statement);
        for (const statement of serverLibraryDdl(kind, TABLE, META)) await outside.query(statement);
        for (const record of records) await outside.query(sql.insert, valuesOf(record));
      } catch (error) {
        await outside?.close();
        await db.dispose();
        temp.dispose();
        throw error;
      }
      const session = outside;
      return {
        table: TABLE,
        target: db.url,
        scratchFolder: temp.path,
        async open(options = {}) {
          // fresh bytes each time: the store may zero what it is given
          const store = await openVault(db.url, {
            serverPassword: new TextEncoder().encode(db.password),
            readOnly: options.readOnly ?? false,
            busyTimeoutMs: 5000,
          });
          opened.push(store);
          return store;
        },
        async setValueOutside(id, value) {
          await session.query(sql.update, [value, id]);
        },
        async rowsOutside() {
          const rows = await session.query<Record<string, string>>(sql.rows);
          return byId(
            rows.map((row) => ({
              id: row.id!,
              vault_token: row.vault_token!,
              vault_value: row.vault_value!,
              created_at: row.created_at!.replace(/\+00$/, ''),
              updated_at: row.updated_at!.replace(/\+00$/, ''),
              expires_at: row.expires_at!.replace(/\+00$/, ''),
              soft_deleted_at: row.soft_deleted_at!.replace(/\+00$/, ''),
            })),
          );
        },
        async idsInKeyOrderOutside() {
          return (await session.query<{ id: string }>(sql.keyOrder)).map((row) => row.id);
        },
        async createTriggerOutside(name) {
          for (const statement of sql.trigger(name)) await session.query(statement);
        },
        async dispose() {
          for (const store of opened.splice(0)) await store.close();
          await session.close();
          await db.dispose();
          temp.dispose();
        },
      };
    },
  };
}

/** The four drivers behind the one VaultStore interface. */
export const CONTRACT_ADAPTERS: readonly ContractAdapter[] = [
  sqliteAdapter('better-sqlite3'),
  sqliteAdapter('sql.js'),
  serverAdapter('postgres'),
  serverAdapter('mysql'),
];
