/**
 * The PostgreSQL driver's descriptor (registry entry). connect() loads
 * connect.ts (and with it `pg`) when a PostgreSQL vault is opened, not before.
 */
import { VAULT_DRIVER_TEXT } from '../../../core/vault-drivers.js';
import type { ServerDriverDescriptor } from '../driver.js';

export const postgresDriver: ServerDriverDescriptor<'postgres'> = {
  name: 'postgres',
  dialect: 'postgres',
  ...VAULT_DRIVER_TEXT['postgres'],
  // One statement per batch, one round trip: larger batches than SQLite's fsync-bound ones.
  writeCadence: { batchSize: 256, commitIntervalMs: 2000 },
  connect: async (options) => (await import('./connect.js')).connectPostgres(options),
};
