/**
 * The storage layer's public face: only re-exports. Opening a vault is in
 * open-vault.ts, the drivers in registry.ts and one folder per dialect
 * (sqlite/, postgres/, mysql/), what they share in common/ and server/.
 */
export type * from './types.js';
export { formatSqliteDateTime, isSqliteDateTime } from './common/datetime.js';
export { findVaultTables, missingVaultColumns } from './common/vault-table.js';
export type { TableColumns } from './common/vault-table.js';
export { VAULT_COLUMNS, quoteIdentifier } from './common/vault-table.js';
export { classifyStoredValue, V2_PREFIX } from './common/value-kind.js';
export type { StoredValueKind } from './common/value-kind.js';
export { probeBetterSqlite3 } from './sqlite/better-sqlite3-driver.js';
export {
  SERVER_DRIVERS,
  VAULT_DRIVERS,
  VAULT_DRIVER_PREFERENCES,
  serverDriver,
  vaultDriver,
  writeCadenceOf,
} from './registry.js';
export { isServerTarget, parseServerTarget } from './server/server-target.js';
export type { ServerDialect, ServerTarget, TlsMode } from './server/server-target.js';
export type {
  ServerConnectOptions,
  ServerDriverDescriptor,
  VaultDriverDescriptor,
  WriteCadence,
} from './driver.js';
export { QUICK_CHECK_MAX_BYTES } from './sqlite/store.js';
export { DEFAULT_PAGE_SIZE } from './common/paging.js';

export { DEFAULT_BUSY_TIMEOUT_MS, chooseDriver, openVault } from './open-vault.js';
export { DEFAULT_SERVER_TIMEOUT_MS } from './server/server-timeouts.js';
export { rotationTag } from './server/backup-table-marker.js';
