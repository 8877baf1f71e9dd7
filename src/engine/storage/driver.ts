/**
 * What a storage driver declares about itself, in one place: how people call
 * it (its words are core's, src/core/vault-drivers.ts), how often a rotation
 * should commit through it, what it can see of other programs, and how to
 * probe and open it. The registry (registry.ts) lists the
 * drivers; nothing else in the engine names one.
 */
import type { VaultDriverName, VaultDriverText } from '../../core/vault-drivers.js';
import type { SqlConnection } from './sqlite/connection.js';
import type { ServerDialect, ServerTarget } from './server/server-target.js';
import type { VaultStore } from './types.js';

export type DriverProbe = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface DriverOpenOptions {
  readonly realPath: string;
  /** path shown in messages */
  readonly displayPath: string;
  readonly readOnly: boolean;
  readonly busyTimeoutMs: number;
  /** better-sqlite3 `nativeBinding` path (Electron build of the addon); other drivers ignore it */
  readonly nativeBinding?: string | undefined;
}

/** How a rotation batches its writes through this driver. */
export interface WriteCadence {
  /** record updates per write transaction */
  readonly batchSize: number;
  /** commit at least this often when few records rotate */
  readonly commitIntervalMs: number;
}

/** The words (label, summary, badge) come from core's table, keyed by the same name. */
export interface VaultDriverDescriptor<
  Name extends VaultDriverName = VaultDriverName,
> extends VaultDriverText {
  readonly name: Name;
  readonly writeCadence: WriteCadence;
  /**
   * Takes SQLite's file locks and sees other programs' commits (data_version
   * moves): concurrent writers are waited for and detected, and a crashed
   * writer's hot journal can be rolled back before a read-only open.
   */
  readonly sharesFileWithOtherPrograms: boolean;
  /** holds the whole database file in memory (size limit, memory use) */
  readonly wholeFileInMemory: boolean;
  /** whether the driver can run here (e.g. its native module loads) */
  probe(nativeBinding: string | undefined): Promise<DriverProbe>;
  /** the error message when this driver was asked for by name but does not load */
  unavailableMessage(reason: string): string;
  open(options: DriverOpenOptions): Promise<SqlConnection>;
}

export interface ServerConnectOptions {
  readonly target: ServerTarget;
  /**
   * The database password (the caller zeroes its copy after connect), or
   * null: the client's own sources (PGPASSWORD, ~/.pgpass; none for MySQL).
   */
  readonly password: Uint8Array | null;
  readonly readOnly: boolean;
  /** how long to wait for a lock (rows, the rotation lock) or a connection before LOCKED */
  readonly busyTimeoutMs: number;
  /** how long one statement may go unanswered (a silent network) before the connection is dropped */
  readonly serverTimeoutMs: number;
  /** better-sqlite3's Electron build, for writing the SQLite backup */
  readonly nativeBinding?: string | undefined;
}

/**
 * A vault table in a database server. The driver implements the whole
 * VaultStore (its SQL dialect, catalog, collation and batching differ from
 * SQLite's); every driver passes
 * test/engine/storage/contract/all-drivers.contract.test.ts.
 */
export interface ServerDriverDescriptor<
  Name extends VaultDriverName = VaultDriverName,
> extends VaultDriverText {
  readonly name: Name;
  readonly dialect: ServerDialect;
  readonly writeCadence: WriteCadence;
  connect(options: ServerConnectOptions): Promise<VaultStore>;
}
