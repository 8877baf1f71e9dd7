/**
 * Access to one vault: a SQLite file (better-sqlite3, sql.js) or a table in a
 * database server. Every driver passes one contract suite
 * (test/engine/storage/contract/all-drivers.contract.test.ts). Methods
 * are async because server drivers talk over the network; the SQLite drivers
 * do their work synchronously inside them.
 *
 * A "vault table" is any table with the columns id, vault_token, vault_value,
 * created_at, updated_at, expires_at, soft_deleted_at (whatever its name).
 */
import type { VaultInfo, VaultTableInfo } from '../../core/types.js';
import type {
  FileDriverName,
  ServerDriverName,
  VaultDriverName,
  VaultDriverPreference,
} from '../../core/vault-drivers.js';

/** core's driver names (src/core/vault-drivers.ts); the registry (registry.ts) is typed by them */
export type { FileDriverName, ServerDriverName, VaultDriverName, VaultDriverPreference };

export interface OpenVaultOptions {
  /** default 'auto': better-sqlite3 when its native module loads, else sql.js */
  readonly driver?: VaultDriverPreference | undefined;
  /** open without any write access (info, verify, dry run) */
  readonly readOnly?: boolean | undefined;
  /** how long to wait for another connection's lock before LOCKED (default 5000) */
  readonly busyTimeoutMs?: number | undefined;
  /**
   * Servers: the database password (bytes, so the caller can zero them), or
   * absent: the client's own sources (PGPASSWORD, ~/.pgpass).
   */
  readonly serverPassword?: Uint8Array | undefined;
  /** servers: how long one statement may go unanswered before the connection is dropped (default 15 min) */
  readonly serverTimeoutMs?: number | undefined;
  /** better-sqlite3 `nativeBinding` path (Electron build of the addon) */
  readonly nativeBinding?: string | undefined;
}

/** shared with the shells and the app (src/core/types.ts) */
export type { VaultInfo, VaultTableInfo };

export interface VaultRecord {
  /**
   * Where the record is: its rowid as decimal text, or its id in a WITHOUT
   * ROWID table. Paging and the write guard use it; people never see it.
   */
  readonly key: string;
  /** the id as people read it (NULL and BLOB ids spelled out) */
  readonly id: string;
  readonly value: string;
  readonly softDeleted: boolean;
}

export interface ReadRecordsOptions {
  /** keyset cursor: only records after this key (rowid order, or id order without rowid) */
  readonly afterKey?: string | null;
  /** upper bound, included: with afterKey the half-open range (afterKey, upToKey] (a shard); null: to the end */
  readonly upToKey?: string | null;
  readonly limit: number;
  /**
   * With a page of large values, read fewer records: at most this many bytes
   * of values per page (but at least one record).
   */
  readonly maxBytes?: number | undefined;
  /** default true */
  readonly includeSoftDeleted?: boolean;
  /** "now" for soft-deleted checks; default: current time */
  readonly now?: Date;
}

/** Which stored values to sample: "v2:" values, or the others that look like v1 (as info() counts them). */
export type SampledValueKind = 'v2' | 'v1';

export interface SampleRecordsOptions extends Omit<ReadRecordsOptions, 'limit' | 'maxBytes'> {
  /** only values of this kind; default: any value */
  readonly valueKind?: SampledValueKind;
}

export interface ValueUpdate {
  /** VaultRecord.key of the record read */
  readonly key: string;
  /** the value we read: the update only applies if it is still there */
  readonly expectedValue: string;
  readonly newValue: string;
}

export type SqlParam = string | number | null;
export type SqlRow = Record<string, unknown>;

/** Plain statements on a server store's connection (placeholders: $n for PostgreSQL, ? for MySQL). */
export interface ServerSql {
  readonly dialect: 'postgres' | 'mysql';
  query(sql: string, params?: readonly SqlParam[]): Promise<SqlRow[]>;
  /** one INSERT/UPDATE/DELETE: the rows it matched (MySQL: found rows, not changed rows) */
  modify(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

/**
 * Runs inside a batch's transaction after its guarded updates, on the same
 * connection (a server store); throwing rolls the whole batch back and the
 * error is the batch's. The distributed rotation's fenced ledger update.
 */
export type BatchHook = (sql: ServerSql, result: WriteBatchResult) => Promise<void>;

export interface WriteBatchResult {
  /** keys whose value was replaced */
  readonly written: readonly string[];
  /** keys whose value changed (or vanished) since we read it: left untouched */
  readonly guardFailed: readonly string[];
}

export interface VaultStore {
  readonly path: string;
  readonly driver: VaultDriverName;
  readonly readOnly: boolean;
  /** tables and counts */
  info(now?: Date): Promise<VaultInfo>;
  /** names of all vault tables */
  vaultTables(): Promise<string[]>;
  /**
   * throws TABLE_NOT_FOUND / MISSING_COLUMNS with a helpful message; a store
   * whose names have a canonical form (PostgreSQL: schema.table) resolves it
   */
  assertVaultTable(table: string): Promise<string | void>;
  countRecords(
    table: string,
    options?: Omit<ReadRecordsOptions, 'limit' | 'maxBytes'>,
  ): Promise<number>;
  /**
   * Refuses (UNSUPPORTED_IDS, nothing changed) a table that cannot be paged
   * safely: without a rowid, with ids that are NULL, not TEXT, not UTF-8 or
   * duplicated. Tables with a rowid take any ids. A server store also
   * refuses (TRIGGERS) a table whose rewritten rows the server itself would
   * copy (MariaDB system versioning, a foreign key on vault_value).
   */
  assertPageable(table: string): Promise<void>;
  /** what record keys are: rowids (compare as integers) or ids (compare in the column's collation) */
  keyKind(table: string): Promise<'rowid' | 'id'>;
  /** the record at `key` (VaultRecord.key), or null when it is gone */
  readRecord(
    table: string,
    key: string,
    options?: Omit<ReadRecordsOptions, 'limit' | 'maxBytes' | 'afterKey' | 'upToKey'>,
  ): Promise<VaultRecord | null>;
  /**
   * Servers: refuses (SERVER_PERMISSION, naming why) when the login could not
   * update every record it reads (PostgreSQL row-level security), for checks
   * made on a read-only connection before a rotation (pre-flight). A writable
   * store checks this itself before its first read.
   */
  assertRowsWritable?(table: string): Promise<void>;
  /** names of the triggers on the table (they would run on every rotated record) */
  triggersOn(table: string): Promise<string[]>;
  /**
   * SQLite's data_version: changes whenever another connection (another
   * program) commits to the file; our own writes leave it as it is. null
   * where the database cannot tell (a server): the rotation then always
   * re-reads the table after its pass to find other programs' writes.
   */
  dataVersion(): Promise<number | null>;
  /** one page in primary-key order (keyset pagination, never OFFSET) */
  readRecords(table: string, options: ReadRecordsOptions): Promise<VaultRecord[]>;
  /**
   * every matching record in key order, `pageSize` rows in memory at a time.
   * No maxBytes: the stores end the stream at the first short page, which a
   * byte-bounded page would be (records silently left out).
   */
  streamRecords(
    table: string,
    options: Omit<ReadRecordsOptions, 'limit' | 'maxBytes'> & { pageSize?: number },
  ): AsyncIterable<VaultRecord>;
  /** up to `count` records picked at random (pre-flight checks, quick verify) */
  sampleRecords(
    table: string,
    count: number,
    options?: SampleRecordsOptions,
  ): Promise<VaultRecord[]>;
  /**
   * All updates in one transaction; each guarded by `expectedValue`. Only
   * vault_value and updated_at change. `updatedAt` is "YYYY-MM-DD HH:MM:SS" UTC.
   * Throws (and writes nothing) on LOCKED, DISK_FULL, READ_ONLY, FILE_CHANGED.
   */
  writeBatch(
    table: string,
    updates: readonly ValueUpdate[],
    updatedAt: string,
    inTransaction?: BatchHook,
  ): Promise<WriteBatchResult>;
  /**
   * Server stores: statements of the tool's own (the distributed rotation's
   * ledger) on the store's connection, one at a time between the store's own.
   */
  serverSql?(): ServerSql;
  /**
   * Server stores: every `every`-th key of the table in key order (the
   * server's ordering of the primary key, all records), for shard cuts.
   */
  everyNthKey?(table: string, every: number): Promise<string[]>;
  /**
   * Server stores: one rotation of `table` at a time through the server
   * itself (advisory lock), beside the local lock file. Resolves a release
   * function; ROTATION_IN_PROGRESS when another session holds it. SQLite
   * files have only the local lock.
   */
  lockForRotation?(table: string): Promise<() => Promise<void>>;
  /**
   * A consistent copy at `destinationPath` (a new file, 0600 from the first
   * byte, never replacing one): the whole database file for SQLite; for a
   * server, one snapshot of the vault table written into a SQLite file with
   * the library's SQLite DDL, so the backup opens in this tool and the Go
   * library alike. `table`: the vault table a server backup copies (a SQLite
   * backup is always the whole file).
   */
  backupTo(destinationPath: string, table?: string): Promise<void>;
  /**
   * Server stores: the backup as a new table in the same database (same
   * columns, keys and indexes, every row of `table` copied in one
   * consistent statement), marked as the backup of the rotation `tag` once
   * complete (never looking like one before: backup-table-marker.ts). A
   * complete backup of the same rotation is kept (a run stopped before
   * recording it); an unfinished copy of it is rebuilt. Never replaces
   * another table: USAGE when `newTable` exists. SQLite files have no such
   * method.
   */
  backupToTable?(table: string, newTable: string, tag: string): Promise<void>;
  close(): Promise<void>;
}
