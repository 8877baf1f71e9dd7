/**
 * The PostgreSQL driver's descriptor (registry entry). connect() returns the
 * server VaultStore of this folder.
 */
import { VAULT_DRIVER_TEXT } from '../../../core/vault-drivers.js';
import { EngineError } from '../../errors.js';
import type { ServerDriverDescriptor } from '../driver.js';

export const postgresDriver: ServerDriverDescriptor<'postgres'> = {
  name: 'postgres',
  dialect: 'postgres',
  ...VAULT_DRIVER_TEXT['postgres'],
  // One statement per batch, one round trip: larger batches than SQLite's fsync-bound ones.
  writeCadence: { batchSize: 256, commitIntervalMs: 2000 },
  connect: () =>
    Promise.reject(
      new EngineError('NATIVE_UNAVAILABLE', 'The PostgreSQL driver is not built yet.'),
    ),
};
