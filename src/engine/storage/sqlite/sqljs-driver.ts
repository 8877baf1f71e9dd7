/**
 * sql.js driver: SQLite compiled to WebAssembly, for when better-sqlite3's
 * native addon cannot load (e.g. an Electron ABI mismatch).
 *
 * Limits, by construction:
 * - The whole file is read into memory (plus a second copy while writing).
 * - sql.js has no access to the real file, so it takes none of SQLite's file
 *   locks. Every write batch re-exports the whole database and replaces the
 *   file atomically (temporary file in the same folder, fsync, rename). Before
 *   that it refuses with FILE_CHANGED if the file changed on disk since we
 *   loaded or last wrote it (size, mtime, inode, then a SHA-256 of the
 *   content), and with LOCKED while another program's journal is in use or a
 *   write-ahead log is present. A program that already has the vault open
 *   keeps writing to the replaced file, and a change made between our check
 *   and the rename is lost: do not use this driver while another program has
 *   the vault open.
 * - sql.js cannot see a write-ahead log (`<vault>-wal`): with one present it
 *   refuses to open (to write; to read when the log holds data).
 */
import { VAULT_DRIVER_TEXT } from '../../../core/vault-drivers.js';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Database as SqlJsDatabase, SqlJsStatic } from 'sql.js';
import { EngineError } from '../../errors.js';
import { backupOwnership, writeFileAtomicallySync } from '../common/atomic-write.js';
import type { FileOwnership } from '../common/atomic-write.js';
import type { SqlConnection, SqlRow } from './connection.js';
import type { VaultDriverDescriptor } from '../driver.js';
import { sidecarFiles } from './file-checks.js';
import { SQL_FUNCTIONS } from './sql.js';
import type { SqlParam } from './sql.js';
import { lockedError } from './errors.js';
import { sleepSync } from './sync-sleep.js';

let sqlJsLoading: Promise<SqlJsStatic> | null = null;

/** Loads the WASM module once per process. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJsLoading ??= (async () => {
    const { default: initSqlJs } = await import('sql.js');
    const wasm = readFileSync(createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm'));
    const wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength);
    return initSqlJs({ wasmBinary });
  })().catch((error: unknown) => {
    sqlJsLoading = null;
    throw new EngineError(
      'INTERNAL',
      `The sql.js SQLite module could not be loaded (${error instanceof Error ? error.message : String(error)}). Reinstall the application.`,
      { cause: error },
    );
  });
  return sqlJsLoading;
}

const POLL_MS = 25;

interface DiskStamp {
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ino: bigint;
}

function diskStamp(path: string): DiskStamp {
  const stats = statSync(path, { bigint: true });
  return { size: stats.size, mtimeNs: stats.mtimeNs, ino: stats.ino };
}

function sameStamp(a: DiskStamp, b: DiskStamp): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Header fields SQLite's backup API (sql.js export) rewrites although the content is the same. */
interface PreservedHeader {
  /** bytes 18-19: journal mode (export always writes 1,1 = rollback) */
  readonly versions: Buffer;
  /** bytes 40-43: schema cookie (export increments it; we never change the schema) */
  readonly schemaCookie: Buffer;
}

function preservedHeaderOf(image: Uint8Array): PreservedHeader {
  return {
    versions: Buffer.from(image.subarray(18, 20)),
    schemaCookie: Buffer.from(image.subarray(40, 44)),
  };
}

function restoreHeader(image: Uint8Array, header: PreservedHeader): void {
  image.set(header.versions, 18);
  image.set(header.schemaCookie, 40);
}

interface DiskSnapshot {
  readonly bytes: Buffer;
  readonly stamp: DiskStamp;
  readonly hash: string;
}

export interface SqlJsOpenOptions {
  readonly realPath: string;
  /** path shown in messages */
  readonly displayPath: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
}

function walError(displayPath: string): EngineError {
  return new EngineError(
    'LOCKED',
    `The vault ${displayPath} has a write-ahead log (${displayPath}-wal): another program has it open in WAL mode, ` +
      'or closed it without cleaning up. The sql.js driver cannot read that log. Close the application that uses ' +
      'the vault (SQLite folds the log into the file when the last connection closes) and try again, or use the ' +
      'better-sqlite3 driver.',
  );
}

class SqlJsConnection implements SqlConnection {
  readonly driver = 'sql.js' as const;
  private db: SqlJsDatabase;
  private known: { stamp: DiskStamp; hash: string };
  private readonly header: PreservedHeader;
  private readonly ownership: FileOwnership;
  private unusable: EngineError | null = null;

  constructor(
    private readonly sqlJs: SqlJsStatic,
    private readonly options: SqlJsOpenOptions,
    snapshot: DiskSnapshot,
  ) {
    this.header = preservedHeaderOf(snapshot.bytes);
    this.known = { stamp: snapshot.stamp, hash: snapshot.hash };
    const stats = statSync(options.realPath);
    this.ownership = { mode: stats.mode, uid: stats.uid, gid: stats.gid };
    this.db = this.load(snapshot.bytes);
  }

  /** sql.js takes ownership of (and writes into) the array it is given. */
  private load(bytes: Uint8Array): SqlJsDatabase {
    const db = new this.sqlJs.Database(bytes);
    // A vault file is untrusted input: its triggers and views may not call our functions.
    db.run('PRAGMA trusted_schema = OFF');
    for (const fn of SQL_FUNCTIONS) db.create_function(fn.name, fn.apply);
    return db;
  }

  all(sql: string, params: readonly SqlParam[] = []): SqlRow[] {
    this.assertUsable();
    const statement = this.db.prepare(sql);
    try {
      statement.bind([...params]);
      const rows: SqlRow[] = [];
      while (statement.step()) rows.push(statement.getAsObject());
      return rows;
    } finally {
      statement.free();
    }
  }

  writeTransaction(sql: string, paramsList: readonly (readonly SqlParam[])[]): number[] {
    this.assertUsable();
    this.assertDiskUnchanged();
    const changes = this.runInMemory(sql, paramsList);
    if (changes.every((count) => count === 0)) return changes;
    try {
      const image = this.db.export();
      restoreHeader(image, this.header);
      writeFileAtomicallySync(this.options.realPath, image, {
        ownership: this.ownership,
        beforeRename: () => this.assertDiskUnchanged(),
      });
      this.known = { stamp: diskStamp(this.options.realPath), hash: sha256(image) };
    } catch (error) {
      // Memory holds a batch the file does not: go back to what is on disk.
      this.reloadFromDisk();
      throw error;
    }
    return changes;
  }

  /** Until memory matches the file again, nothing more may be read or written. */
  private assertUsable(): void {
    if (this.unusable) throw this.unusable;
  }

  private runInMemory(sql: string, paramsList: readonly (readonly SqlParam[])[]): number[] {
    this.db.run('BEGIN IMMEDIATE');
    try {
      const statement = this.db.prepare(sql);
      let changes: number[];
      try {
        changes = paramsList.map((params) => {
          statement.run([...params]);
          return this.db.getRowsModified();
        });
      } finally {
        statement.free();
      }
      this.db.run('COMMIT');
      return changes;
    } catch (error) {
      this.rollbackQuietly();
      throw error;
    }
  }

  /** The original error matters, not a failed ROLLBACK (e.g. SQLite already rolled back). */
  private rollbackQuietly(): void {
    try {
      this.db.run('ROLLBACK');
    } catch {
      // no transaction left to roll back
    }
  }

  private reloadFromDisk(): void {
    try {
      const bytes = readFileSync(this.options.realPath);
      this.db.close();
      // If the file is no longer what we knew, the next write fails with FILE_CHANGED.
      this.db = this.load(bytes);
    } catch (error) {
      this.unusable = new EngineError(
        'IO',
        `The vault ${this.options.displayPath} could not be read back after a failed write. ` +
          'Close it and open it again before continuing.',
        { cause: error },
      );
    }
  }

  /** FILE_CHANGED if another program changed the file; LOCKED while it is writing. */
  private assertDiskUnchanged(): void {
    const { realPath, displayPath, busyTimeoutMs } = this.options;
    waitForWriters(realPath, displayPath, busyTimeoutMs, false);
    let stamp: DiskStamp;
    try {
      stamp = diskStamp(realPath);
    } catch (error) {
      throw fileChangedError(displayPath, 'it was moved or deleted', error);
    }
    if (!sameStamp(stamp, this.known.stamp)) {
      throw fileChangedError(displayPath, 'its size or modification time changed');
    }
    if (sha256(readFileSync(realPath)) !== this.known.hash) {
      throw fileChangedError(displayPath, 'its content changed');
    }
  }

  async backupTo(destinationPath: string): Promise<void> {
    this.assertUsable();
    const image = this.db.export();
    restoreHeader(image, this.header);
    writeFileAtomicallySync(destinationPath, image, {
      ownership: backupOwnership(this.ownership),
      noReplace: true,
    });
  }

  close(): void {
    this.db.close();
  }
}

function journalBusyError(displayPath: string, busyTimeoutMs: number): EngineError {
  return new EngineError(
    'LOCKED',
    `Another program is writing to the vault ${displayPath} (its journal ${displayPath}-journal is in use; ` +
      `waited ${busyTimeoutMs / 1000} s). Close the application that uses this vault, or wait until it has ` +
      'finished writing, then try again. If no program uses it, one crashed while writing: open the vault once ' +
      'with its application (or the better-sqlite3 driver) so that SQLite repairs it.',
  );
}

function fileChangedError(displayPath: string, what: string, cause?: unknown): EngineError {
  return new EngineError(
    'FILE_CHANGED',
    `The vault ${displayPath} was changed by another program since it was loaded (${what}). ` +
      'The sql.js driver keeps a copy in memory and cannot merge changes, so nothing was written. ' +
      'Close the other program, then open the vault again and retry.',
    { cause },
  );
}

/**
 * Waits (up to the busy timeout) while another program's rollback journal is
 * in use; refuses a write-ahead log outright (it does not go away while the
 * other program keeps the vault open).
 */
function waitForWriters(
  realPath: string,
  displayPath: string,
  busyTimeoutMs: number,
  readOnly: boolean,
): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    const sidecars = sidecarFiles(realPath);
    if (sidecars.walBytes !== null && (!readOnly || sidecars.walBytes > 0))
      throw walError(displayPath);
    if (!sidecars.journalInUse) return;
    if (Date.now() >= deadline) throw journalBusyError(displayPath, busyTimeoutMs);
    sleepSync(POLL_MS);
  }
}

/** Reads the file when no writer is active and it did not change while being read. */
function readSnapshot(options: SqlJsOpenOptions): DiskSnapshot {
  const { realPath, displayPath, busyTimeoutMs, readOnly } = options;
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    waitForWriters(realPath, displayPath, Math.max(0, deadline - Date.now()), readOnly);
    const before = diskStamp(realPath);
    const bytes = readFileSync(realPath);
    const after = diskStamp(realPath);
    if (
      sameStamp(before, after) &&
      BigInt(bytes.length) === after.size &&
      !sidecarFiles(realPath).journalInUse
    ) {
      return { bytes, stamp: after, hash: sha256(bytes) };
    }
    if (Date.now() >= deadline) throw lockedError(displayPath, busyTimeoutMs);
    sleepSync(POLL_MS);
  }
}

/**
 * sql.js holds the whole file in one Node buffer and in WebAssembly memory:
 * Node reads at most 2 GiB into a buffer, and 32-bit WebAssembly cannot
 * address more either.
 */
export const SQLJS_MAX_FILE_BYTES = 2 ** 31 - 1;

export function sqlJsFileTooLargeError(displayPath: string, sizeBytes: number): EngineError {
  const gib = (sizeBytes / 1024 ** 3).toFixed(1);
  return new EngineError(
    'IO',
    `The vault ${displayPath} is ${gib} GiB: the sql.js driver (SQLite in WebAssembly, which loads the whole ` +
      'file into memory) cannot load files over 2 GiB. Nothing was changed. Use the native driver ' +
      '(better-sqlite3, e.g. --driver better-sqlite3 on the command line); if it does not load, reinstall the ' +
      'application for this platform.',
  );
}

export async function openSqlJs(
  options: SqlJsOpenOptions,
  maxFileBytes = SQLJS_MAX_FILE_BYTES,
): Promise<SqlConnection> {
  const sizeBytes = statSync(options.realPath).size;
  if (sizeBytes > maxFileBytes) throw sqlJsFileTooLargeError(options.displayPath, sizeBytes);
  const sqlJs = await loadSqlJs();
  return new SqlJsConnection(sqlJs, options, readSnapshot(options));
}

export const sqlJsDriver: VaultDriverDescriptor<'sql.js'> = {
  name: 'sql.js',
  ...VAULT_DRIVER_TEXT['sql.js'],
  // Every commit rewrites the whole file (about 0.9 s for 100 MiB): larger, rarer batches.
  writeCadence: { batchSize: 1024, commitIntervalMs: 30_000 },
  sharesFileWithOtherPrograms: false,
  wholeFileInMemory: true,
  // Pure WebAssembly, shipped with the app: a load failure is reported by open (INTERNAL).
  probe: () => Promise.resolve({ ok: true }),
  unavailableMessage: (reason) =>
    `The sql.js SQLite module could not be loaded (${reason}). Reinstall the application.`,
  open: ({ realPath, displayPath, readOnly, busyTimeoutMs }) =>
    openSqlJs({ realPath, displayPath, readOnly, busyTimeoutMs }),
};
