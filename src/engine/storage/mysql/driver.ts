/**
 * The MySQL/MariaDB driver's descriptor (registry entry). connect() loads the
 * server VaultStore of this folder (store.ts, and with it `mysql2`) when a
 * MySQL vault is opened, not before.
 */
import { VAULT_DRIVER_TEXT } from '../../../core/vault-drivers.js';
import type { ServerDriverDescriptor } from '../driver.js';

export const mysqlDriver: ServerDriverDescriptor<'mysql'> = {
  name: 'mysql',
  dialect: 'mysql',
  ...VAULT_DRIVER_TEXT['mysql'],
  // One statement per batch, one round trip: larger batches than SQLite's fsync-bound ones.
  writeCadence: { batchSize: 256, commitIntervalMs: 2000 },
  connect: async (options) => (await import('./store.js')).openMysqlStore(options),
};
