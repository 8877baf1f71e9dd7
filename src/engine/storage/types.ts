/**
 * Access to one SQLite vault file. Two drivers implement it (better-sqlite3,
 * sql.js) and share one conformance test suite.
 *
 * A "vault table" is any table with the columns id, vault_token, vault_value,
 * created_at, updated_at, expires_at, soft_deleted_at (whatever its name).
 */
export type VaultDriverName = 'better-sqlite3' | 'sql.js';
export type VaultDriverPreference = 'auto' | VaultDriverName;

export interface OpenVaultOptions {
  /** default 'auto': better-sqlite3 when its native module loads, else sql.js */
  readonly driver?: VaultDriverPreference;
  /** open without any write access (info, verify, dry run) */
  readonly readOnly?: boolean;
  /** how long to wait for another connection's lock before LOCKED (default 5000) */
  readonly busyTimeoutMs?: number;
  /** better-sqlite3 `nativeBinding` path (Electron build of the addon) */
  readonly nativeBinding?: string;
}

export interface VaultTableInfo {
  readonly name: string;
  readonly records: number;
  readonly softDeleted: number;
  readonly expired: number;
  /** values starting with exactly "v2:" */
  readonly v2: number;
  /** other values that look like v1 (base64url text) */
  readonly v1: number;
  /** values that can be neither (empty, bad characters, ...) */
  readonly other: number;
}

export interface VaultInfo {
  readonly path: string;
  readonly fileSizeBytes: number;
  readonly driver: VaultDriverName;
  readonly tables: readonly VaultTableInfo[];
}

export interface VaultRecord {
  readonly id: string;
  readonly value: string;
  readonly softDeleted: boolean;
}

export interface ReadRecordsOptions {
  /** keyset cursor: only records with id > afterId (SQLite BINARY order) */
  readonly afterId?: string | null;
  readonly limit: number;
  /** default true */
  readonly includeSoftDeleted?: boolean;
  /** "now" for soft-deleted checks; default: current time */
  readonly now?: Date;
}

/** Which stored values to sample: "v2:" values, or the others that look like v1 (as info() counts them). */
export type SampledValueKind = 'v2' | 'v1';

export interface SampleRecordsOptions extends Omit<ReadRecordsOptions, 'limit' | 'afterId'> {
  /** only values of this kind; default: any value */
  readonly valueKind?: SampledValueKind;
}

export interface ValueUpdate {
  readonly id: string;
  /** the value we read: the update only applies if it is still there */
  readonly expectedValue: string;
  readonly newValue: string;
}

export interface WriteBatchResult {
  /** ids whose value was replaced */
  readonly written: readonly string[];
  /** ids whose value changed (or vanished) since we read it: left untouched */
  readonly guardFailed: readonly string[];
}

export interface VaultStore {
  readonly path: string;
  readonly driver: VaultDriverName;
  readonly readOnly: boolean;
  /** tables and counts */
  info(now?: Date): VaultInfo;
  /** names of all vault tables */
  vaultTables(): string[];
  /** throws TABLE_NOT_FOUND / MISSING_COLUMNS with a helpful message */
  assertVaultTable(table: string): void;
  countRecords(table: string, options?: Omit<ReadRecordsOptions, 'limit'>): number;
  /** one page in primary-key order (keyset pagination, never OFFSET) */
  readRecords(table: string, options: ReadRecordsOptions): VaultRecord[];
  /** every matching record in key order, `pageSize` rows in memory at a time */
  streamRecords(
    table: string,
    options: Omit<ReadRecordsOptions, 'limit'> & { pageSize?: number },
  ): Iterable<VaultRecord>;
  /** up to `count` records picked at random (pre-flight checks, quick verify) */
  sampleRecords(table: string, count: number, options?: SampleRecordsOptions): VaultRecord[];
  /**
   * All updates in one transaction; each guarded by `expectedValue`. Only
   * vault_value and updated_at change. `updatedAt` is "YYYY-MM-DD HH:MM:SS" UTC.
   * Throws (and writes nothing) on LOCKED, DISK_FULL, READ_ONLY, FILE_CHANGED.
   */
  writeBatch(table: string, updates: readonly ValueUpdate[], updatedAt: string): WriteBatchResult;
  /** a consistent copy of the whole database at `destinationPath` */
  backupTo(destinationPath: string): Promise<void>;
  close(): void;
}
