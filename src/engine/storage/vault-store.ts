/**
 * The VaultStore behaviour both drivers share: table detection, counts,
 * keyset paging, sampling, guarded batches and error translation. A driver
 * only supplies a SqlConnection.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EngineError } from '../errors.js';
import type { SqlConnection, SqlRow } from './connection.js';
import { formatSqliteDateTime, isSqliteDateTime } from './datetime.js';
import { findVaultTables, noVaultTableError, readTables, resolveVaultTable } from './schema.js';
import {
  QUICK_CHECK_SQL,
  countStatement,
  guardedUpdateSql,
  pageStatement,
  sampleStatement,
  tableCountsStatement,
} from './sql-text.js';
import type { RecordFilter } from './sql-text.js';
import { corruptError, readOnlyError, toEngineError } from './sqlite-errors.js';
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
} from './types.js';

export const DEFAULT_PAGE_SIZE = 256;

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

type FilterOptions = Omit<ReadRecordsOptions, 'limit'>;

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

function toRecord(row: SqlRow): VaultRecord {
  return { id: text(row.id), value: text(row.value), softDeleted: Number(row.soft_deleted) === 1 };
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new EngineError('INTERNAL', `${what} must be a positive integer (got ${value}).`);
  }
  return value;
}

class SharedVaultStore implements VaultStore {
  private readonly resolvedTables = new Map<string, string>();
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
  private guard<T>(action: string, work: () => T): T {
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
  verifyOnOpen(fileSizeBytes: number): void {
    this.guard('reading', () => {
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

  private filter(options: FilterOptions = {}): RecordFilter {
    return {
      afterId: options.afterId ?? null,
      includeSoftDeleted: options.includeSoftDeleted ?? true,
      now: formatSqliteDateTime(options.now ?? new Date()),
    };
  }

  info(now: Date = new Date()): VaultInfo {
    return this.guard('reading', () => {
      const formattedNow = formatSqliteDateTime(now);
      const tables = this.vaultTables().map((name): VaultTableInfo => {
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

  vaultTables(): string[] {
    return this.guard('reading', () => findVaultTables(readTables(this.connection)));
  }

  assertVaultTable(table: string): void {
    this.guard('reading', () => this.table(table));
  }

  countRecords(table: string, options?: FilterOptions): number {
    return this.guard('reading', () => {
      const statement = countStatement(this.table(table), this.filter(options));
      return Number(this.connection.all(statement.sql, statement.params)[0]?.n ?? 0);
    });
  }

  readRecords(table: string, options: ReadRecordsOptions): VaultRecord[] {
    return this.guard('reading', () => {
      const limit = positiveInteger(options.limit, 'The page size');
      const statement = pageStatement(this.table(table), this.filter(options), limit);
      return this.connection.all(statement.sql, statement.params).map(toRecord);
    });
  }

  *streamRecords(
    table: string,
    options: FilterOptions & { pageSize?: number } = {},
  ): Generator<VaultRecord, void, undefined> {
    const pageSize = positiveInteger(options.pageSize ?? DEFAULT_PAGE_SIZE, 'The page size');
    // One "now" for the whole pass, so a record cannot change category mid-stream.
    const now = options.now ?? new Date();
    let afterId = options.afterId ?? null;
    for (;;) {
      const page = this.readRecords(table, { ...options, now, afterId, limit: pageSize });
      yield* page;
      const last = page.at(-1);
      if (page.length < pageSize || last === undefined) return;
      afterId = last.id;
    }
  }

  sampleRecords(table: string, count: number, options?: SampleRecordsOptions): VaultRecord[] {
    return this.guard('reading', () => {
      if (!Number.isInteger(count) || count < 0) {
        throw new EngineError(
          'INTERNAL',
          `The sample size must be a non-negative integer (got ${count}).`,
        );
      }
      if (count === 0) return [];
      const statement = sampleStatement(
        this.table(table),
        this.filter(options),
        count,
        options?.valueKind,
      );
      return this.connection.all(statement.sql, statement.params).map(toRecord);
    });
  }

  writeBatch(table: string, updates: readonly ValueUpdate[], updatedAt: string): WriteBatchResult {
    return this.guard('writing to', () => {
      if (this.readOnly) {
        throw readOnlyError(
          this.path,
          'it was opened read-only; open it without read-only to write',
        );
      }
      if (!isSqliteDateTime(updatedAt)) {
        throw new EngineError(
          'INTERNAL',
          `updated_at must be "YYYY-MM-DD HH:MM:SS" (got ${JSON.stringify(updatedAt)}).`,
        );
      }
      const name = this.table(table);
      if (updates.length === 0) return { written: [], guardFailed: [] };
      const changes = this.connection.writeTransaction(
        guardedUpdateSql(name),
        updates.map((update) => [update.newValue, updatedAt, update.id, update.expectedValue]),
      );
      const written: string[] = [];
      const guardFailed: string[] = [];
      updates.forEach((update, index) => {
        (changes[index] === 0 ? guardFailed : written).push(update.id);
      });
      return { written, guardFailed };
    });
  }

  async backupTo(destinationPath: string): Promise<void> {
    if (this.closed) throw new EngineError('INTERNAL', `The vault ${this.path} is already closed.`);
    assertBackupFolder(destinationPath);
    try {
      await this.connection.backupTo(destinationPath);
    } catch (error) {
      throw backupError(error, destinationPath, this.path, this.settings.busyTimeoutMs);
    }
  }

  close(): void {
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

/** A backup fails mostly because of its destination: say so. */
function backupError(
  error: unknown,
  destinationPath: string,
  vaultPath: string,
  busyTimeoutMs: number,
): EngineError {
  const errno = (error as { code?: unknown } | null)?.code;
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

export type OpenedVaultStore = VaultStore & { verifyOnOpen(fileSizeBytes: number): void };

export function createVaultStore(
  connection: SqlConnection,
  settings: StoreSettings,
): OpenedVaultStore {
  return new SharedVaultStore(connection, settings);
}
