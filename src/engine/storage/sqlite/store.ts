/**
 * The SQLite VaultStore, the same for both SQLite drivers (better-sqlite3,
 * sql.js): table detection, counts, keyset paging, sampling, guarded batches
 * and error translation. A driver only supplies a SqlConnection.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EngineError } from '../../errors.js';
import { entryKind } from '../../fs/private-file.js';
import type { SqlConnection, SqlRow } from './connection.js';
import { formatSqliteDateTime } from '../common/datetime.js';
import {
  assertSampleCount,
  assertUpdatedAt,
  positiveInteger,
  recordsWithinBytes,
  streamPages,
} from '../common/paging.js';
import { findVaultTables } from '../common/vault-table.js';
import { noVaultTableError, readTables, resolveVaultTable } from './catalog.js';
import {
  DATA_VERSION_SQL,
  QUICK_CHECK_SQL,
  TRIGGERS_SQL,
  WITHOUT_ROWID_SQL,
  countStatement,
  guardedUpdateSql,
  idShapeStatement,
  pageSizesStatement,
  pageStatement,
  recordAtStatement,
  rowidAlias,
  sampleStatement,
  tableCountsStatement,
} from './sql.js';
import type { RecordFilter, RecordKey } from './sql.js';
import { corruptError, readOnlyError, toEngineError } from './errors.js';
import type {
  ReadRecordsOptions,
  SampleRecordsOptions,
  ValueUpdate,
  VaultDriverName,
  VaultInfo,
  VaultRecord,
  VaultStore,
  VaultTableInfo,
  WriteBatchResult,
} from '../types.js';

/**
 * PRAGMA quick_check reads every page: a few hundred ms for this size here
 * (see docs/storage.md). Larger files skip it at open; damaged pages then
 * surface as CORRUPT when they are read.
 */
export const QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024;

export interface StoreSettings {
  /** path shown to the user */
  readonly path: string;
  /** the file itself (symlinks resolved) */
  readonly realPath: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
}

type FilterOptions = Omit<ReadRecordsOptions, 'limit' | 'maxBytes'>;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

function toRecord(row: SqlRow): VaultRecord {
  return {
    key: text(row.record_key),
    id: text(row.id),
    value: text(row.value),
    softDeleted: Number(row.soft_deleted) === 1,
  };
}

class SharedVaultStore implements VaultStore {
  private readonly resolvedTables = new Map<string, string>();
  private readonly recordKeys = new Map<string, RecordKey>();
  private closed = false;

  constructor(
    private readonly connection: SqlConnection,
    private readonly settings: StoreSettings,
  ) {}

  get path(): string {
    return this.settings.path;
  }

  get driver(): VaultDriverName {
    return this.connection.driver;
  }

  get readOnly(): boolean {
    return this.settings.readOnly;
  }

  /** Runs `work`, turning whatever it throws into an EngineError. */
  private async guard<T>(action: string, work: () => T): Promise<T> {
    if (this.closed) throw new EngineError('INTERNAL', `The vault ${this.path} is already closed.`);
    try {
      return work();
    } catch (error) {
      throw toEngineError(error, {
        path: this.path,
        action,
        busyTimeoutMs: this.settings.busyTimeoutMs,
      });
    }
  }

  /** Schema read, cheap integrity check, at least one vault table. */
  verifyOnOpen(fileSizeBytes: number): Promise<void> {
    return this.guard('reading', () => {
      const tables = readTables(this.connection);
      if (fileSizeBytes <= QUICK_CHECK_MAX_BYTES) {
        const verdict = Object.values(this.connection.all(QUICK_CHECK_SQL)[0] ?? {})[0];
        if (verdict !== 'ok')
          throw corruptError(this.path, `SQLite's integrity check reports: ${text(verdict)}`);
      }
      if (findVaultTables(tables).length === 0) throw noVaultTableError(this.path, tables);
    });
  }

  private table(requested: string): string {
    const cached = this.resolvedTables.get(requested);
    if (cached !== undefined) return cached;
    const name = resolveVaultTable(this.path, readTables(this.connection), requested);
    this.resolvedTables.set(requested, name);
    return name;
  }

  /** rowid where the table has one (not shadowed by a column), else its id column */
  private keyOf(table: string): RecordKey {
    const cached = this.recordKeys.get(table);
    if (cached) return cached;
    const columns = readTables(this.connection).find((t) => t.name === table)?.columns ?? [];
    const withoutRowid = Number(this.connection.all(WITHOUT_ROWID_SQL, [table])[0]?.wr ?? 0) === 1;
    const alias = withoutRowid ? null : rowidAlias(columns);
    const key: RecordKey = alias ? { kind: 'rowid', column: alias } : { kind: 'id' };
    this.recordKeys.set(table, key);
    return key;
  }

  private filter(options: FilterOptions = {}): RecordFilter {
    return {
      afterKey: options.afterKey ?? null,
      upToKey: options.upToKey ?? null,
      includeSoftDeleted: options.includeSoftDeleted ?? true,
      now: formatSqliteDateTime(options.now ?? new Date()),
    };
  }

  info(now: Date = new Date()): Promise<VaultInfo> {
    return this.guard('reading', () => {
      const formattedNow = formatSqliteDateTime(now);
      const tables = findVaultTables(readTables(this.connection)).map((name): VaultTableInfo => {
        const statement = tableCountsStatement(name, formattedNow);
        const row = this.connection.all(statement.sql, statement.params)[0] ?? {};
        const records = Number(row.records);
        const v2 = Number(row.v2);
        const v1 = Number(row.v1);
        return {
          name,
          records,
          softDeleted: Number(row.soft_deleted),
          expired: Number(row.expired),
          v2,
          v1,
          other: records - v2 - v1,
        };
      });
      return {
        path: this.path,
        fileSizeBytes: statSync(this.settings.realPath).size,
        driver: this.driver,
        tables,
      };
    });
  }

  vaultTables(): Promise<string[]> {
    return this.guard('reading', () => findVaultTables(readTables(this.connection)));
  }

  async assertVaultTable(table: string): Promise<void> {
    await this.guard('reading', () => this.table(table));
  }

  countRecords(table: string, options?: FilterOptions): Promise<number> {
    return this.guard('reading', () => {
      const name = this.table(table);
      const statement = countStatement(name, this.keyOf(name), this.filter(options));
      return Number(this.connection.all(statement.sql, statement.params)[0]?.n ?? 0);
    });
  }

  assertPageable(table: string): Promise<void> {
    return this.guard('reading', () => {
      const name = this.table(table);
      if (this.keyOf(name).kind === 'rowid') return;
      const statement = idShapeStatement(name);
      const row = this.connection.all(statement.sql, statement.params)[0] ?? {};
      const problems = [
        [Number(row.null_ids), 'have no id (NULL)'],
        [Number(row.non_text_ids), 'have an id that is not text (a number or bytes)'],
        [Number(row.non_utf8_ids), 'have an id that is not valid UTF-8 text'],
        [Number(row.duplicate_ids), 'repeat an id another record has'],
      ] as const;
      const found = problems.filter(([count]) => count > 0);
      if (found.length === 0) return;
      throw new EngineError(
        'UNSUPPORTED_IDS',
        `The table ${JSON.stringify(name)} in ${this.path} has no rowid (WITHOUT ROWID), so records can only be ` +
          `visited in id order, and ${found.map(([count, what]) => `${count} record(s) ${what}`).join(', ')}: ` +
          'such records could be skipped or visited twice, so nothing was changed. Give every record a unique ' +
          'text id (as the VaultStore library does), or copy the table into one with a rowid, then run again.',
      );
    });
  }

  keyKind(table: string): Promise<'rowid' | 'id'> {
    return this.guard('reading', () => this.keyOf(this.table(table)).kind);
  }

  readRecord(table: string, key: string, options?: FilterOptions): Promise<VaultRecord | null> {
    return this.guard('reading', () => {
      const name = this.table(table);
      const statement = recordAtStatement(name, this.keyOf(name), this.filter(options), key);
      const row = this.connection.all(statement.sql, statement.params)[0];
      return row ? toRecord(row) : null;
    });
  }

  triggersOn(table: string): Promise<string[]> {
    return this.guard('reading', () =>
      this.connection.all(TRIGGERS_SQL, [this.table(table)]).map((row) => text(row.name)),
    );
  }

  dataVersion(): Promise<number | null> {
    return this.guard('reading', () =>
      Number(this.connection.all(DATA_VERSION_SQL)[0]?.data_version ?? 0),
    );
  }

  readRecords(table: string, options: ReadRecordsOptions): Promise<VaultRecord[]> {
    return this.guard('reading', () => {
      const name = this.table(table);
      const key = this.keyOf(name);
      const filter = this.filter(options);
      let limit = positiveInteger(options.limit, 'The page size');
      if (options.maxBytes !== undefined)
        limit = this.recordsWithin(name, key, filter, limit, options.maxBytes);
      const statement = pageStatement(name, key, filter, limit);
      return this.connection.all(statement.sql, statement.params).map(toRecord);
    });
  }

  /** How many of the next `limit` records fit in `maxBytes` of values (at least one). */
  private recordsWithin(
    name: string,
    key: RecordKey,
    filter: RecordFilter,
    limit: number,
    maxBytes: number,
  ): number {
    const statement = pageSizesStatement(name, key, filter, limit);
    return recordsWithinBytes(this.connection.all(statement.sql, statement.params), maxBytes);
  }

  streamRecords(
    table: string,
    options: FilterOptions & { pageSize?: number } = {},
  ): AsyncGenerator<VaultRecord, void, undefined> {
    return streamPages((page) => this.readRecords(table, page), options);
  }

  sampleRecords(
    table: string,
    count: number,
    options?: SampleRecordsOptions,
  ): Promise<VaultRecord[]> {
    return this.guard('reading', () => {
      assertSampleCount(count);
      if (count === 0) return [];
      const name = this.table(table);
      const statement = sampleStatement(
        name,
        this.keyOf(name),
        this.filter(options),
        count,
        options?.valueKind,
      );
      return this.connection.all(statement.sql, statement.params).map(toRecord);
    });
  }

  writeBatch(
    table: string,
    updates: readonly ValueUpdate[],
    updatedAt: string,
  ): Promise<WriteBatchResult> {
    return this.guard('writing to', () => {
      if (this.readOnly) {
        throw readOnlyError(
          this.path,
          'it was opened read-only; open it without read-only to write',
        );
      }
      assertUpdatedAt(updatedAt);
      const name = this.table(table);
      if (updates.length === 0) return { written: [], guardFailed: [] };
      const changes = this.connection.writeTransaction(
        guardedUpdateSql(name, this.keyOf(name)),
        updates.map((update) => [update.newValue, updatedAt, update.key, update.expectedValue]),
      );
      const written: string[] = [];
      const guardFailed: string[] = [];
      updates.forEach((update, index) => {
        (changes[index] === 0 ? guardFailed : written).push(update.key);
      });
      return { written, guardFailed };
    });
  }

  async backupTo(destinationPath: string): Promise<void> {
    if (this.closed) throw new EngineError('INTERNAL', `The vault ${this.path} is already closed.`);
    assertBackupFolder(destinationPath);
    try {
      assertBackupPathUnused(destinationPath);
      await this.connection.backupTo(destinationPath);
    } catch (error) {
      throw backupError(error, destinationPath, this.path, this.settings.busyTimeoutMs);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
  }
}

function assertBackupFolder(destinationPath: string): void {
  const folder = dirname(resolve(destinationPath));
  if (!existsSync(folder)) {
    throw new EngineError(
      'FILE_NOT_FOUND',
      `The backup folder ${folder} does not exist. Create it or choose another place for the backup.`,
    );
  }
}

/** A backup never replaces a file and never writes through a link someone put at its name. */
function assertBackupPathUnused(destinationPath: string): void {
  const kind = entryKind(destinationPath);
  if (kind !== null) throw backupPathTakenError(destinationPath, kind);
}

function backupPathTakenError(destinationPath: string, kind: string | null): EngineError {
  const what =
    kind === 'symbolic link'
      ? 'a symbolic link is'
      : kind === 'file'
        ? 'a file is'
        : 'something is';
  return new EngineError(
    'USAGE',
    `The backup ${destinationPath} was not written: ${what} already there, and a backup never replaces ` +
      'a file or writes through a link. Choose another backup path, or move that file away and try again.',
  );
}

/** A backup fails mostly because of its destination: say so. */
function backupError(
  error: unknown,
  destinationPath: string,
  vaultPath: string,
  busyTimeoutMs: number,
): EngineError {
  const errno = (error as { code?: unknown } | null)?.code;
  const { path, dest } = (error ?? {}) as { path?: unknown; dest?: unknown };
  if (errno === 'EEXIST' && (path === destinationPath || dest === destinationPath)) {
    // planted while the backup was being written
    let kind: string | null = null;
    try {
      kind = entryKind(destinationPath);
    } catch {
      // described generically
    }
    return backupPathTakenError(destinationPath, kind);
  }
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') {
    return new EngineError(
      'READ_ONLY',
      `The backup ${destinationPath} cannot be written: its folder is not writable (${errno}). ` +
        'Choose a writable folder for the backup, or fix its permissions.',
      { cause: error },
    );
  }
  return toEngineError(error, {
    path: vaultPath,
    action: `writing the backup ${destinationPath} of`,
    busyTimeoutMs,
  });
}

export type OpenedVaultStore = VaultStore & { verifyOnOpen(fileSizeBytes: number): Promise<void> };

export function createVaultStore(
  connection: SqlConnection,
  settings: StoreSettings,
): OpenedVaultStore {
  return new SharedVaultStore(connection, settings);
}
