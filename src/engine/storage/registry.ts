/**
 * The storage driver registry. Adding a driver: write its folder here
 * (sqlite/, postgres/, mysql/ are the models: driver, store, sql, catalog,
 * errors), its words in src/core/vault-drivers.ts, and one line below. Order matters:
 * 'auto' picks the first driver whose probe succeeds.
 */
import type {
  FileDriverName,
  ServerDriverName,
  VaultDriverName,
  VaultDriverPreference,
} from '../../core/vault-drivers.js';
import { betterSqlite3Driver } from './sqlite/better-sqlite3-driver.js';
import type { ServerDriverDescriptor, VaultDriverDescriptor, WriteCadence } from './driver.js';
import { mysqlDriver } from './mysql/driver.js';
import { postgresDriver } from './postgres/driver.js';
import type { ServerDialect } from './server/server-target.js';
import { sqlJsDriver } from './sqlite/sqljs-driver.js';

/** Drivers for vault files; `--driver` chooses among them. */
export const VAULT_DRIVERS = [
  betterSqlite3Driver,
  sqlJsDriver,
] as const satisfies readonly VaultDriverDescriptor<FileDriverName>[];

/** Drivers for vaults in a database server, chosen by the connection string's scheme. */
export const SERVER_DRIVERS = [
  postgresDriver,
  mysqlDriver,
] as const satisfies readonly ServerDriverDescriptor<ServerDriverName>[];

/** Every name a user may pass as a driver choice ('auto' first). */
export const VAULT_DRIVER_PREFERENCES: readonly VaultDriverPreference[] = [
  'auto',
  ...VAULT_DRIVERS.map((driver) => driver.name),
];

export function vaultDriver(name: FileDriverName): VaultDriverDescriptor<FileDriverName> {
  const driver = VAULT_DRIVERS.find((candidate) => candidate.name === name);
  if (!driver) throw new Error(`unknown storage driver ${String(name)}`);
  return driver;
}

export function serverDriver(dialect: ServerDialect): ServerDriverDescriptor<ServerDriverName> {
  const driver = SERVER_DRIVERS.find((candidate) => candidate.dialect === dialect);
  if (!driver) throw new Error(`no driver for ${dialect} servers`);
  return driver;
}

/** How a rotation commits through the driver a store was opened with. */
export function writeCadenceOf(name: VaultDriverName): WriteCadence {
  const driver = [...VAULT_DRIVERS, ...SERVER_DRIVERS].find((candidate) => candidate.name === name);
  if (!driver) throw new Error(`unknown storage driver ${String(name)}`);
  return driver.writeCadence;
}
