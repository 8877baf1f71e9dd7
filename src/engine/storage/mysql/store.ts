/**
 * The VaultStore of a vault table in MySQL/MariaDB. Records are keyed by
 * their id (the primary key) and paged in the id column's collation;
 * stored values are compared byte for byte; a batch is one transaction that
 * locks the records still holding the value read and updates them in one
 * statement. dataVersion() is null: a server cannot tell cheaply whether
 * another program committed, so the rotation sweeps after its pass.
 */
import type { ConnectionOptions } from 'mysql2/promise';
import { EngineError } from '../../errors.js';
import {
  assertSampleCount,
  assertUpdatedAt,
  positiveInteger,
  recordsWithinBytes,
  streamPages,
} from '../common/paging.js';
import { assertBackupDestination, backupFileError } from '../server/sqlite-backup.js';
import { formatSqliteDateTime } from '../common/datetime.js';
import type { ServerConnectOptions } from '../driver.js';
import type { TableColumns } from '../common/vault-table.js';
import type {
  BatchHook,
  ReadRecordsOptions,
  ServerSql,
  SampleRecordsOptions,
  ValueUpdate,
  VaultInfo,
  VaultRecord,
  VaultStore,
  VaultTableInfo,
  WriteBatchResult,
} from '../types.js';
import { backupMysqlTable, mysqlText } from './backup.js';
import { backupToTable } from './backup-table.js';
import { guardedTransaction } from './batch-write.js';
import {
  assertMysqlPageable,
  noMysqlVaultTableError,
  readMysqlTables,
  resolveMysqlVaultTable,
  vaultTablesOf,
} from './catalog.js';
import { mysqlConnectionOptions } from './connection-options.js';
import { assertSafeToRewrite } from './copies.js';
import { toMysqlEngineError } from './errors.js';
import { takeRotationLock } from './rotation-lock.js';
import { MysqlSession } from './session.js';
import type { MysqlRow, MysqlSessionSettings } from './session.js';
import {
  TABLE_SIZE_SQL,
  TRIGGERS_SQL,
  countStatement,
  everyNthKeyStatement,
  pageSizesStatement,
  pageStatement,
  recordAtStatement,
  sampleStatement,
  tableCountsStatement,
} from './sql.js';
import type { MysqlParam, MysqlRecordFilter, MysqlStatement } from './sql.js';

type FilterOptions = Omit<ReadRecordsOptions, 'limit' | 'maxBytes'>;

function toRecord(row: MysqlRow): VaultRecord {
  const key = mysqlText(row.record_key);
  return {
    key,
    id: key,
    value: mysqlText(row.value),
    softDeleted: Number(row.soft_deleted) === 1,
  };
}

class MysqlVaultStore implements VaultStore {
  readonly driver = 'mysql' as const;
  private readonly resolvedTables = new Map<string, string>();
  /** the table a rotation works on (pageable check, lock, writes): the one backupTo copies */
  private workingTable: string | null = null;
  private closed = false;

  constructor(
    private readonly session: MysqlSession,
    private readonly connectOptions: ConnectionOptions,
    private readonly options: ServerConnectOptions,
  ) {}

  get path(): string {
    return this.options.target.display;
  }

  get readOnly(): boolean {
    return this.options.readOnly;
  }

  private get display(): string {
    return this.options.target.display;
  }

  /** One operation at a time on the connection; refuses after close. */
  private run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new EngineError('INTERNAL', `The vault ${this.path} is already closed.`),
      );
    }
    return this.session.exclusive(work);
  }

  private query(statement: MysqlStatement, action = 'reading'): Promise<MysqlRow[]> {
    return this.session.query(statement.sql, statement.params, action);
  }

  private tables(): Promise<TableColumns[]> {
    return readMysqlTables(this.session);
  }

  private async table(requested: string): Promise<string> {
    const cached = this.resolvedTables.get(requested);
    if (cached !== undefined) return cached;
    const name = resolveMysqlVaultTable(this.display, await this.tables(), requested);
    this.resolvedTables.set(requested, name);
    return name;
  }

  private filter(options: FilterOptions = {}): MysqlRecordFilter {
    return {
      afterKey: options.afterKey ?? null,
      upToKey: options.upToKey ?? null,
      includeSoftDeleted: options.includeSoftDeleted ?? true,
      now: formatSqliteDateTime(options.now ?? new Date()),
    };
  }

  /** At least one vault table, or NO_VAULT_TABLE (as opening a SQLite file checks). */
  verifyOnOpen(): Promise<void> {
    return this.run(async () => {
      const tables = await this.tables();
      if (vaultTablesOf(tables).length === 0) throw noMysqlVaultTableError(this.display, tables);
    });
  }

  info(now: Date = new Date()): Promise<VaultInfo> {
    return this.run(async () => {
      const formattedNow = formatSqliteDateTime(now);
      const tables: VaultTableInfo[] = [];
      let sizeBytes = 0;
      for (const name of vaultTablesOf(await this.tables())) {
        const row = (await this.query(tableCountsStatement(name, formattedNow)))[0] ?? {};
        const records = Number(row.records);
        const v2 = Number(row.v2);
        const v1 = Number(row.v1);
        tables.push({
          name,
          records,
          softDeleted: Number(row.soft_deleted),
          expired: Number(row.expired),
          v2,
          v1,
          other: records - v2 - v1,
        });
        const size = await this.query({ sql: TABLE_SIZE_SQL, params: [name] });
        sizeBytes += Number(size[0]?.bytes ?? 0);
      }
      return { path: this.path, fileSizeBytes: sizeBytes, driver: this.driver, tables };
    });
  }

  vaultTables(): Promise<string[]> {
    return this.run(async () => vaultTablesOf(await this.tables()));
  }

  async assertVaultTable(table: string): Promise<void> {
    await this.run(() => this.table(table));
  }

  countRecords(table: string, options?: FilterOptions): Promise<number> {
    return this.run(async () => {
      const name = await this.table(table);
      const rows = await this.query(countStatement(name, this.filter(options)));
      return Number(rows[0]?.n ?? 0);
    });
  }

  assertPageable(table: string): Promise<void> {
    return this.run(async () => {
      const name = await this.table(table);
      // First: a system-versioned table's primary key also holds row_end, which is not the problem to name.
      await assertSafeToRewrite(this.session, this.display, name);
      await assertMysqlPageable(this.session, this.display, name);
      this.workingTable = name;
    });
  }

  keyKind(table: string): Promise<'rowid' | 'id'> {
    return this.run(async () => {
      await this.table(table);
      return 'id' as const;
    });
  }

  readRecord(table: string, key: string, options?: FilterOptions): Promise<VaultRecord | null> {
    return this.run(async () => {
      const name = await this.table(table);
      const rows = await this.query(recordAtStatement(name, this.filter(options), key));
      return rows[0] ? toRecord(rows[0]) : null;
    });
  }

  triggersOn(table: string): Promise<string[]> {
    return this.run(async () => {
      const name = await this.table(table);
      const rows = await this.query({ sql: TRIGGERS_SQL, params: [name] });
      return rows.map((row) => mysqlText(row.name));
    });
  }

  dataVersion(): Promise<number | null> {
    return this.run(() => Promise.resolve(null));
  }

  readRecords(table: string, options: ReadRecordsOptions): Promise<VaultRecord[]> {
    return this.run(async () => {
      const name = await this.table(table);
      const filter = this.filter(options);
      let limit = positiveInteger(options.limit, 'The page size');
      if (options.maxBytes !== undefined) {
        limit = await this.recordsWithin(name, filter, limit, options.maxBytes);
      }
      return (await this.query(pageStatement(name, filter, limit))).map(toRecord);
    });
  }

  /** How many of the next `limit` records fit in `maxBytes` of values (at least one). */
  private async recordsWithin(
    name: string,
    filter: MysqlRecordFilter,
    limit: number,
    maxBytes: number,
  ): Promise<number> {
    return recordsWithinBytes(await this.query(pageSizesStatement(name, filter, limit)), maxBytes);
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
    return this.run(async () => {
      assertSampleCount(count);
      if (count === 0) return [];
      const name = await this.table(table);
      const statement = sampleStatement(name, this.filter(options), count, options?.valueKind);
      return (await this.query(statement)).map(toRecord);
    });
  }

  writeBatch(
    table: string,
    updates: readonly ValueUpdate[],
    updatedAt: string,
    inTransaction?: BatchHook,
  ): Promise<WriteBatchResult> {
    return this.run(async () => {
      if (this.readOnly) {
        throw new EngineError(
          'READ_ONLY',
          `The vault ${this.display} was opened read-only (a read-only session): nothing was written. ` +
            'Open it without read-only to write.',
        );
      }
      assertUpdatedAt(updatedAt);
      const name = await this.table(table);
      this.workingTable = name;
      if (updates.length === 0 && !inTransaction) return { written: [], guardFailed: [] };
      // Inside this operation already: the hook's statements run directly.
      const hookSql = this.sqlOn((work) => work());
      const target = { session: this.session, display: this.display, name, hookSql };
      return guardedTransaction(target, updates, updatedAt, inTransaction);
    });
  }

  /** Statements on the store's connection, each alone on it (never inside another operation). */
  serverSql(): ServerSql {
    return this.sqlOn((work) => this.run(work));
  }

  private sqlOn(exclusive: <T>(work: () => Promise<T>) => Promise<T>): ServerSql {
    return {
      dialect: 'mysql',
      query: (sql, params = []) =>
        exclusive(() => this.session.query(sql, params as MysqlParam[], 'using')),
      modify: (sql, params = []) =>
        exclusive(() => this.session.modify(sql, params as MysqlParam[], 'writing to')),
    };
  }

  everyNthKey(table: string, every: number): Promise<string[]> {
    return this.run(async () => {
      const name = await this.table(table);
      const statement = everyNthKeyStatement(name, positiveInteger(every, 'The shard size'));
      return (await this.query(statement)).map((row) => mysqlText(row.record_key));
    });
  }

  /** A copy of the table beside it (backup-table.ts). */
  backupToTable(table: string, newTable: string, tag: string): Promise<void> {
    return this.run(async () => {
      const source = await this.table(table);
      await backupToTable(this.session, this.display, source, newTable, tag);
    });
  }
  lockForRotation(table: string): Promise<() => Promise<void>> {
    return this.run(async () => {
      const name = await this.table(table);
      this.workingTable = name;
      const { database } = this.options.target;
      return takeRotationLock(this.session, this.display, database, name, () => this.closed);
    });
  }

  async backupTo(destinationPath: string, requested?: string): Promise<void> {
    const table = await this.run(
      async () => requested ?? this.workingTable ?? this.onlyVaultTable(),
    );
    assertBackupDestination(destinationPath);
    const settings: MysqlSessionSettings = {
      display: this.display,
      readOnly: true,
      busyTimeoutMs: this.options.busyTimeoutMs,
      serverTimeoutMs: this.options.serverTimeoutMs,
    };
    try {
      await backupMysqlTable(
        this.connectOptions,
        settings,
        table,
        destinationPath,
        this.options.nativeBinding,
      );
    } catch (error) {
      throw backupError(error, destinationPath, settings);
    }
  }

  private async onlyVaultTable(): Promise<string> {
    const tables = vaultTablesOf(await this.tables());
    if (tables.length === 1) return tables[0]!;
    throw new EngineError(
      'INTERNAL',
      `Which table of ${this.display} to back up is not known (${tables.length} vault tables): ` +
        'check the table (assertPageable) before backing it up.',
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.exclusive(() => this.session.close());
  }
}

/** The backup is a new file in an existing folder, never replacing anything. */
function backupError(
  error: unknown,
  destinationPath: string,
  settings: MysqlSessionSettings,
): EngineError {
  return (
    backupFileError(error, destinationPath) ??
    toMysqlEngineError(error, { ...settings, action: 'backing up' })
  );
}

export type OpenedMysqlStore = VaultStore & { verifyOnOpen(): Promise<void> };

/** Connects, sets the session up and checks that the database holds a vault table. */
export async function openMysqlStore(options: ServerConnectOptions): Promise<VaultStore> {
  const connectOptions = mysqlConnectionOptions(options.target, options.password);
  const session = await MysqlSession.open(connectOptions, {
    display: options.target.display,
    readOnly: options.readOnly,
    busyTimeoutMs: options.busyTimeoutMs,
    serverTimeoutMs: options.serverTimeoutMs,
  });
  const store = new MysqlVaultStore(session, connectOptions, options);
  try {
    await store.verifyOnOpen();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
