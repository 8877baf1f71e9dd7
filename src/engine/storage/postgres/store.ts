/**
 * A vault table in PostgreSQL as a VaultStore: one connection (node-postgres
 * Client; its queries run one after another), keyset pages in the id
 * column's collation, one guarded UPDATE per batch, a session advisory lock
 * for the rotation, and backups read from a second connection's snapshot.
 * Tables are named schema.table; a table whose rows row-level security may
 * hide from the login is refused before it is read (row-security.ts).
 */
import type pg from 'pg';
import { EngineError } from '../../errors.js';
import {
  assertSampleCount,
  assertUpdatedAt,
  positiveInteger,
  streamPages,
} from '../common/paging.js';
import { formatSqliteDateTime } from '../common/datetime.js';
import { assertBackupDestination } from '../server/sqlite-backup.js';
import type {
  BatchHook,
  ReadRecordsOptions,
  ServerSql,
  SqlParam,
  SampleRecordsOptions,
  ValueUpdate,
  VaultInfo,
  VaultRecord,
  VaultStore,
  VaultTableInfo,
  WriteBatchResult,
} from '../types.js';
import {
  CATALOG_SQL,
  noVaultTableError,
  resolveTable,
  tablesFromRows,
  vaultTableNames,
  type CatalogRow,
  type CatalogTable,
} from './catalog.js';
import { serverSilentError } from '../server/server-timeouts.js';
import { backupSnapshotTo } from './backup.js';
import { backupToTable } from './backup-table.js';
import { writeGuardedBatch, type PgBatchConnection } from './batch-write.js';
import { connectionLostError, pgEngineError } from './errors.js';
import { dropConnection, isQueryTimeout } from './query-timeout.js';
import { advisoryLockKey, rotationInProgressError } from './rotation-lock.js';
import {
  rowSecurityError,
  rowSecurityState,
  tablePolicies,
  type PolicyRow,
  type RowSecurityState,
} from './row-security.js';
import { TableSql, type PgStatement, type RecordFilter } from './sql.js';

export interface PostgresStoreSettings {
  /** the URL without password */
  readonly display: string;
  readonly database: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
  /** a statement unanswered this long: the connection is dropped (query_timeout) */
  readonly serverTimeoutMs: number;
  readonly nativeBinding?: string | undefined;
  /** a second connection with the same settings (the backup's snapshot) */
  readonly openSecondClient: () => Promise<pg.Client>;
  /** called once when the store closes (zeroes the password copy) */
  readonly onClose: () => void;
}

type FilterOptions = Omit<ReadRecordsOptions, 'limit' | 'maxBytes'>;

interface RecordRow {
  key: string;
  value: string;
  soft_deleted: boolean;
}

function toRecord(row: RecordRow): VaultRecord {
  return { key: row.key, id: row.key, value: row.value, softDeleted: row.soft_deleted };
}

export class PostgresVaultStore implements VaultStore {
  readonly driver = 'postgres' as const;
  private readonly tables = new Map<string, TableSql>();
  /** the table of lockForRotation: what backupTo copies */
  private rotationTable: string | null = null;
  private lost: unknown = null;
  private closed = false;

  constructor(
    private readonly client: pg.Client,
    private readonly settings: PostgresStoreSettings,
  ) {
    // A connection ended by the server emits 'error' (uncaught, it would end the process):
    // remember it, and report it at the next call.
    client.on('error', (error) => {
      this.lost ??= error;
    });
    client.on('end', () => {
      this.lost ??= new Error('Connection terminated');
    });
  }

  get path(): string {
    return this.settings.display;
  }

  get readOnly(): boolean {
    return this.settings.readOnly;
  }

  private async run<T>(action: string, statement: PgStatement): Promise<T[]> {
    return (await this.execute(action, statement)).rows as T[];
  }

  private async execute(action: string, statement: PgStatement): Promise<pg.QueryResult> {
    if (this.closed) throw new EngineError('INTERNAL', `The vault ${this.path} is already closed.`);
    if (this.lost !== null) throw connectionLostError(this.path, this.lost);
    try {
      return await this.client.query({ text: statement.text, values: statement.values });
    } catch (error) {
      if (isQueryTimeout(error)) {
        this.lost = error;
        dropConnection(this.client);
        throw serverSilentError(this.path, this.settings.serverTimeoutMs, error);
      }
      throw pgEngineError(error, {
        display: this.path,
        action,
        busyTimeoutMs: this.settings.busyTimeoutMs,
        connected: true,
      });
    }
  }

  private async catalog(): Promise<CatalogTable[]> {
    return tablesFromRows(await this.run<CatalogRow>('reading', { text: CATALOG_SQL, values: [] }));
  }

  /** Checked when connecting: the schema holds at least one vault table. */
  async verifyOnConnect(): Promise<void> {
    const tables = await this.catalog();
    if (vaultTableNames(tables).length === 0) throw noVaultTableError(this.path, tables);
  }

  /** The table asked for, once proven fully visible to the login (and, writing, fully updatable). */
  private async table(requested: string): Promise<TableSql> {
    const cached = this.tables.get(requested);
    if (cached) return cached;
    const table = resolveTable(this.path, await this.catalog(), requested);
    const sql = new TableSql(table);
    await this.assertRowsVisible(sql, !this.readOnly);
    this.tables.set(requested, sql);
    return sql;
  }

  /** SERVER_PERMISSION when row-level security may hide rows of the table from the login (or keep them from its updates). */
  private async assertRowsVisible(sql: TableSql, writing: boolean): Promise<void> {
    const [state] = await this.run<RowSecurityState>('reading', rowSecurityState(sql.quoted));
    if (!state?.enabled) return;
    const policies = await this.run<PolicyRow>('reading', tablePolicies(sql.quoted));
    const error = rowSecurityError(state, policies, {
      display: this.path,
      table: sql.name,
      writing,
    });
    if (error) throw error;
  }

  private filter(options: FilterOptions = {}): RecordFilter {
    return {
      afterKey: options.afterKey ?? null,
      upToKey: options.upToKey ?? null,
      includeSoftDeleted: options.includeSoftDeleted ?? true,
      now: formatSqliteDateTime(options.now ?? new Date()),
    };
  }

  async info(now: Date = new Date()): Promise<VaultInfo> {
    const formattedNow = formatSqliteDateTime(now);
    const catalog = await this.catalog();
    const tables: VaultTableInfo[] = [];
    let sizeBytes = 0;
    for (const name of vaultTableNames(catalog)) {
      const sql = new TableSql(catalog.find((t) => t.name === name)!);
      // Counts of the rows the login sees would pass for the table's: refused as a job would be.
      await this.assertRowsVisible(sql, false);
      const [row] = await this.run<Record<string, string>>('reading', sql.counts(formattedNow));
      const records = Number(row?.records ?? 0);
      const v2 = Number(row?.v2 ?? 0);
      const v1 = Number(row?.v1 ?? 0);
      sizeBytes += Number(row?.size_bytes ?? 0);
      tables.push({
        name,
        records,
        softDeleted: Number(row?.soft_deleted ?? 0),
        expired: Number(row?.expired ?? 0),
        v2,
        v1,
        other: records - v2 - v1,
      });
    }
    return { path: this.path, fileSizeBytes: sizeBytes, driver: this.driver, tables };
  }

  async vaultTables(): Promise<string[]> {
    return vaultTableNames(await this.catalog());
  }

  /** The table's schema.table name (a bare name found in one schema of the search path). */
  async assertVaultTable(table: string): Promise<string> {
    return (await this.table(table)).name;
  }

  async countRecords(table: string, options?: FilterOptions): Promise<number> {
    const sql = await this.table(table);
    const [row] = await this.run<{ n: string }>('reading', sql.count(this.filter(options)));
    return Number(row?.n ?? 0);
  }

  /** Keyset paging needs unique ids in an exact order: id must be the primary key, deterministically collated. */
  async assertPageable(table: string): Promise<void> {
    const { name } = await this.table(table);
    const found = (await this.catalog()).find((t) => t.name === name);
    const id = found?.columns.find((column) => column.name === 'id');
    const problem = !id?.primaryKey
      ? 'its id column is not the primary key, so ids may repeat or be missing'
      : !id.deterministic
        ? "its id column's collation is nondeterministic (different ids compare equal)"
        : null;
    if (problem === null) return;
    throw new EngineError(
      'UNSUPPORTED_IDS',
      `The table ${JSON.stringify(name)} in ${this.path} cannot be visited record by record ` +
        `safely: ${problem}. Records could be skipped or visited twice, so nothing was changed. Make id the ` +
        `primary key with a deterministic collation (as the VaultStore library's DDL does: ` +
        `ALTER TABLE ... ADD PRIMARY KEY (id)), then run again.`,
    );
  }

  async keyKind(table: string): Promise<'rowid' | 'id'> {
    await this.table(table);
    return 'id';
  }

  async readRecord(
    table: string,
    key: string,
    options?: FilterOptions,
  ): Promise<VaultRecord | null> {
    const sql = await this.table(table);
    const [row] = await this.run<RecordRow>('reading', sql.recordAt(this.filter(options), key));
    return row ? toRecord(row) : null;
  }

  async assertRowsWritable(table: string): Promise<void> {
    await this.assertRowsVisible(await this.table(table), true);
  }

  /** Triggers and rules that run on UPDATE of the table's rows, its partitions' and children's included. */
  async triggersOn(table: string): Promise<string[]> {
    const sql = await this.table(table);
    const hooks = await this.run<UpdateHookRow>('reading', sql.updateHooks());
    return hooks.map(describeHook);
  }

  /** A server cannot tell other programs' commits cheaply: the rotation sweeps instead. */
  dataVersion(): Promise<number | null> {
    return Promise.resolve(null);
  }

  async readRecords(table: string, options: ReadRecordsOptions): Promise<VaultRecord[]> {
    const sql = await this.table(table);
    const limit = positiveInteger(options.limit, 'The page size');
    const statement = sql.page(this.filter(options), limit, options.maxBytes);
    return (await this.run<RecordRow>('reading', statement)).map(toRecord);
  }

  streamRecords(
    table: string,
    options: FilterOptions & { pageSize?: number } = {},
  ): AsyncGenerator<VaultRecord, void, undefined> {
    return streamPages((page) => this.readRecords(table, page), options);
  }

  async sampleRecords(
    table: string,
    count: number,
    options?: SampleRecordsOptions,
  ): Promise<VaultRecord[]> {
    assertSampleCount(count);
    const sql = await this.table(table);
    if (count === 0) return [];
    const statement = sql.sample(this.filter(options), count, options?.valueKind);
    return (await this.run<RecordRow>('reading', statement)).map(toRecord);
  }

  async writeBatch(
    table: string,
    updates: readonly ValueUpdate[],
    updatedAt: string,
    inTransaction?: BatchHook,
  ): Promise<WriteBatchResult> {
    if (this.readOnly) {
      throw new EngineError(
        'READ_ONLY',
        `${this.path} was opened read-only (a read-only session): nothing was written. Open it without ` +
          'read-only to write.',
      );
    }
    assertUpdatedAt(updatedAt);
    const sql = await this.table(table);
    return writeGuardedBatch(this.connection(), sql, updates, updatedAt, inTransaction);
  }

  /** The store's connection, for the modules that run statements on it. */
  private connection(): PgBatchConnection {
    return {
      run: <T>(action: string, statement: PgStatement) => this.run<T>(action, statement),
      serverSql: () => this.serverSql(),
      // A lost connection rolls back on the server by itself.
      rollback: () =>
        this.client.query('ROLLBACK').then(
          () => undefined,
          () => undefined,
        ),
    };
  }

  serverSql(): ServerSql {
    const statement = (text: string, params: readonly SqlParam[] = []): PgStatement => ({
      text,
      values: [...params],
    });
    return {
      dialect: 'postgres',
      query: (text, params) => this.run('using', statement(text, params)),
      // rowCount of an UPDATE: the rows it matched, changed or not
      modify: async (text, params) =>
        (await this.execute('writing to', statement(text, params))).rowCount ?? 0,
    };
  }

  async everyNthKey(table: string, every: number): Promise<string[]> {
    const sql = await this.table(table);
    const rows = await this.run<{ key: string }>(
      'reading',
      sql.everyNthKey(positiveInteger(every, 'The shard size')),
    );
    return rows.map((row) => row.key);
  }

  async lockForRotation(table: string): Promise<() => Promise<void>> {
    const sql = await this.table(table);
    const key = advisoryLockKey(this.settings.database, sql.schema, sql.tableName);
    const [row] = await this.run<{ locked: boolean }>('locking', {
      text: 'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      values: [key],
    });
    if (!row?.locked) {
      throw await rotationInProgressError(this.connection().run, this.path, sql.name, key);
    }
    this.rotationTable = sql.name;
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      if (this.rotationTable === sql.name) this.rotationTable = null;
      // A lost or closed connection has released the session lock already.
      if (this.closed || this.lost !== null) return;
      await this.run('unlocking', {
        text: 'SELECT pg_advisory_unlock($1::bigint)',
        values: [key],
      }).catch(() => undefined);
    };
  }

  /**
   * `table`: the table to copy; by default the one being rotated (lockForRotation),
   * else the schema's only vault table.
   */
  async backupTo(destinationPath: string, table?: string): Promise<void> {
    if (this.closed) throw new EngineError('INTERNAL', `The vault ${this.path} is already closed.`);
    const sql = await this.table(table ?? this.rotationTable ?? (await this.onlyVaultTable()));
    assertBackupDestination(destinationPath);
    await backupSnapshotTo(this.settings, sql, destinationPath);
  }

  async backupToTable(table: string, newTable: string, tag: string): Promise<void> {
    const sql = await this.table(table);
    await backupToTable(this.connection(), sql, newTable, tag, this.path);
  }

  private async onlyVaultTable(): Promise<string> {
    const names = await this.vaultTables();
    if (names.length === 1) return names[0]!;
    throw new EngineError(
      'USAGE',
      `${this.path} holds ${names.length} vault tables (${names.join(', ')}): name the table to back up.`,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settings.onClose();
    // A dropped connection cannot say goodbye (end() would wait for a silent server).
    if (this.lost !== null) dropConnection(this.client);
    await this.client.end().catch(() => undefined);
  }
}

interface UpdateHookRow {
  name: string;
  kind: 'trigger' | 'rule';
  depth: number;
  schema: string;
  relation: string;
  partition: boolean;
}

/** "audit" for the table's own trigger; "keep (rule on UPDATE)", "copy (trigger on partition s.t)" otherwise. */
function describeHook(hook: UpdateHookRow): string {
  const where =
    hook.depth === 0
      ? ''
      : ` on ${hook.partition ? 'partition' : 'child table'} ${hook.schema}.${hook.relation}`;
  if (hook.kind === 'rule') return `${hook.name} (rule on UPDATE${where})`;
  return where === '' ? hook.name : `${hook.name} (trigger${where})`;
}
