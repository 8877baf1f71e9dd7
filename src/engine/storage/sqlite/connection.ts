/**
 * The little each SQLite driver (better-sqlite3, sql.js) must provide;
 * everything vault-specific (schema detection, counting, paging, guarded
 * batches, errors) is shared on top of it in store.ts.
 */
import type { VaultDriverName } from '../../../core/vault-drivers.js';
import type { SqlParam } from './sql.js';

export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlConnection {
  readonly driver: VaultDriverName;
  /** runs one read statement and returns all its rows */
  all(sql: string, params?: readonly SqlParam[]): SqlRow[];
  /**
   * Runs `sql` once per parameter list inside one IMMEDIATE transaction and
   * returns the number of changed rows for each. All or nothing: on any error
   * everything is rolled back and the error is rethrown. Durable on return.
   */
  writeTransaction(sql: string, paramsList: readonly (readonly SqlParam[])[]): number[];
  /** a consistent copy of the database, published atomically at destinationPath */
  backupTo(destinationPath: string): Promise<void>;
  close(): void;
}
