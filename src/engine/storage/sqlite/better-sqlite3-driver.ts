/**
 * better-sqlite3 driver (default): SQLite's native library, real file locks,
 * busy timeout, WAL, and the online backup API. Its addon is built for one
 * runtime ABI; `probeBetterSqlite3` tells whether it loads here.
 */
import { VAULT_DRIVER_TEXT } from '../../../core/vault-drivers.js';
import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { backupOwnership, publishFileAtomically } from '../common/atomic-write.js';
import type { SqlConnection, SqlRow } from './connection.js';
import type { DriverProbe, VaultDriverDescriptor } from '../driver.js';
import { SQL_FUNCTIONS } from './sql.js';
import type { SqlParam } from './sql.js';

type DatabaseConstructor = typeof BetterSqlite3;

let moduleLoading: Promise<DatabaseConstructor> | null = null;

export function loadModule(): Promise<DatabaseConstructor> {
  moduleLoading ??= import('better-sqlite3').then((module) => module.default);
  return moduleLoading;
}

export type ProbeResult = DriverProbe;

/** The addon is only loaded when a database is constructed: try an in-memory one. */
export async function probeBetterSqlite3(nativeBinding?: string): Promise<ProbeResult> {
  try {
    const Database = await loadModule();
    new Database(':memory:', nativeBinding === undefined ? {} : { nativeBinding }).close();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export interface BetterSqlite3OpenOptions {
  readonly realPath: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
  readonly nativeBinding?: string | undefined;
}

class BetterSqlite3Connection implements SqlConnection {
  readonly driver = 'better-sqlite3' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly realPath: string,
  ) {}

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    return this.prepare(sql).all(...params) as SqlRow[];
  }

  writeTransaction(sql: string, paramsList: readonly (readonly SqlParam[])[]): number[] {
    const statement = this.prepare(sql);
    // better-sqlite3 rolls back when the function throws (or COMMIT fails).
    const run = this.db.transaction((list: readonly (readonly SqlParam[])[]) =>
      list.map((params) => statement.run(...params).changes),
    );
    return run.immediate(paramsList);
  }

  /** SQLite writes into the empty 0600 file created for it, so no one can read a partial backup. */
  async backupTo(destinationPath: string): Promise<void> {
    const stats = statSync(this.realPath);
    await publishFileAtomically(
      destinationPath,
      async (temporary) => {
        await this.db.backup(temporary);
      },
      {
        ownership: backupOwnership({ mode: stats.mode, uid: stats.uid, gid: stats.gid }),
        noReplace: true,
      },
    );
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }
}

/** Page cache of a connection, as SQLite's cache_size takes it: negative, in KiB. */
export const SQLITE_CACHE_SIZE = -2000;

/** Never creates the file (fileMustExist); read-only opens take no write access at all. */
export async function openBetterSqlite3(options: BetterSqlite3OpenOptions): Promise<SqlConnection> {
  const Database = await loadModule();
  const db = new Database(options.realPath, {
    readonly: options.readOnly,
    fileMustExist: true,
    timeout: options.busyTimeoutMs,
    ...(options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding }),
  });
  // A vault file is untrusted input: its triggers and views may not call our functions.
  db.pragma('trusted_schema = OFF');
  // A commit must be durable before the checkpoint that points past it is written, in every journal mode
  // (better-sqlite3 uses synchronous=NORMAL under WAL, which is not).
  if (!options.readOnly) db.pragma('synchronous = FULL');
  // better-sqlite3 builds SQLite with a 16 MiB page cache per connection; a rotation reads each page
  // once, in key order, so SQLite's own default (2 MiB) is as fast and 14 MiB smaller (issue 20).
  db.pragma(`cache_size = ${SQLITE_CACHE_SIZE}`);
  for (const fn of SQL_FUNCTIONS) db.function(fn.name, { deterministic: true }, fn.apply);
  return new BetterSqlite3Connection(db, options.realPath);
}

export const betterSqlite3Driver: VaultDriverDescriptor<'better-sqlite3'> = {
  name: 'better-sqlite3',
  ...VAULT_DRIVER_TEXT['better-sqlite3'],
  // Each commit costs one fsync: small batches, frequent checkpoints.
  writeCadence: { batchSize: 64, commitIntervalMs: 2000 },
  sharesFileWithOtherPrograms: true,
  wholeFileInMemory: false,
  probe: probeBetterSqlite3,
  unavailableMessage: (reason) =>
    `The better-sqlite3 native module could not be loaded (${reason}). Rebuild it for this runtime ` +
    '(npm rebuild better-sqlite3, or @electron/rebuild for the desktop app), or use the sql.js driver.',
  open: ({ realPath, readOnly, busyTimeoutMs, nativeBinding }) =>
    openBetterSqlite3({
      realPath,
      readOnly,
      busyTimeoutMs,
      nativeBinding,
    }),
};
