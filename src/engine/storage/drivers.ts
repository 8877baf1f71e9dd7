/**
 * The storage driver registry. Adding a driver: write its file in this
 * folder (connection + descriptor) and add one line below. Order matters:
 * 'auto' picks the first driver whose probe succeeds.
 */
import { betterSqlite3Driver } from './better-sqlite3-driver.js';
import type { VaultDriverDescriptor } from './driver.js';
import { sqlJsDriver } from './sqljs-driver.js';

export const VAULT_DRIVERS = [betterSqlite3Driver, sqlJsDriver] as const;

export type VaultDriverName = (typeof VAULT_DRIVERS)[number]['name'];
export type VaultDriverPreference = 'auto' | VaultDriverName;

/** Every name a user may pass as a driver choice ('auto' first). */
export const VAULT_DRIVER_PREFERENCES: readonly VaultDriverPreference[] = [
  'auto',
  ...VAULT_DRIVERS.map((driver) => driver.name),
];

export function vaultDriver(name: VaultDriverName): VaultDriverDescriptor<VaultDriverName> {
  const driver = VAULT_DRIVERS.find((candidate) => candidate.name === name);
  if (!driver) throw new Error(`unknown storage driver ${String(name)}`);
  return driver;
}
