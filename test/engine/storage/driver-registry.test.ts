/**
 * The storage driver registry: every driver declares every capability, the
 * chooser goes through it, and the declared capabilities hold on a real file.
 */
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  VAULT_DRIVERS,
  VAULT_DRIVER_PREFERENCES,
  chooseDriver,
  openVault,
  vaultDriver,
} from '../../../src/engine/storage/index.js';
import { copyFixture, makeTempDir } from '../../support/fixtures.js';
import type { TempDir } from '../../support/fixtures.js';
import { DRIVERS, expectEngineError } from './support/sqlite-vaults.js';

describe('driver registry', () => {
  it('every driver declares every capability', () => {
    expect(VAULT_DRIVERS.length).toBeGreaterThanOrEqual(2);
    const names = VAULT_DRIVERS.map((driver) => driver.name);
    expect(new Set(names).size).toBe(names.length);
    for (const driver of VAULT_DRIVERS) {
      expect(driver.name).toMatch(/^[a-z0-9.-]+$/);
      expect(driver.label).toContain(driver.name);
      expect(driver.summary).toMatch(/^\S.*\.$/);
      expect(Number.isInteger(driver.writeCadence.batchSize)).toBe(true);
      expect(driver.writeCadence.batchSize).toBeGreaterThan(0);
      expect(Number.isInteger(driver.writeCadence.commitIntervalMs)).toBe(true);
      expect(driver.writeCadence.commitIntervalMs).toBeGreaterThan(0);
      expect(typeof driver.sharesFileWithOtherPrograms).toBe('boolean');
      expect(typeof driver.wholeFileInMemory).toBe('boolean');
      expect(typeof driver.probe).toBe('function');
      expect(typeof driver.open).toBe('function');
      expect(driver.unavailableMessage('some reason')).toContain('some reason');
      expect(vaultDriver(driver.name)).toBe(driver);
    }
  });

  it('lists the choices a user has: auto, then every driver; the storage tests cover them all', () => {
    expect(VAULT_DRIVER_PREFERENCES).toEqual(['auto', ...VAULT_DRIVERS.map((d) => d.name)]);
    expect(DRIVERS).toEqual(VAULT_DRIVERS.map((d) => d.name));
  });

  it('the sql.js driver batches more than the native one (each of its commits rewrites the file)', () => {
    const native = vaultDriver('better-sqlite3').writeCadence;
    const wasm = vaultDriver('sql.js').writeCadence;
    expect(wasm.batchSize).toBeGreaterThan(native.batchSize);
    expect(wasm.commitIntervalMs).toBeGreaterThan(native.commitIntervalMs);
  });
});

describe('driver chooser', () => {
  let temp: TempDir;
  let brokenAddon: string;

  beforeEach(() => {
    temp = makeTempDir('vsa-registry-');
    brokenAddon = join(temp.path, 'not-an-addon.node');
    writeFileSync(brokenAddon, 'this is not a native module');
  });
  afterEach(() => temp.dispose());

  it('auto picks the native driver when it loads (it does here)', async () => {
    expect((await chooseDriver({})).name).toBe('better-sqlite3');
  });

  it('auto picks sql.js when the native module does not load', async () => {
    expect((await chooseDriver({ nativeBinding: brokenAddon })).name).toBe('sql.js');
  });

  it('a driver asked for by name is used, or refused with its own way out', async () => {
    expect((await chooseDriver({ driver: 'sql.js' })).name).toBe('sql.js');
    expect((await chooseDriver({ driver: 'better-sqlite3' })).name).toBe('better-sqlite3');
    await expectEngineError(
      chooseDriver({ driver: 'better-sqlite3', nativeBinding: brokenAddon }),
      'NATIVE_UNAVAILABLE',
      /rebuild.*sql\.js/is,
    );
  });

  it.each(VAULT_DRIVERS.map((driver) => [driver.name, driver] as const))(
    '%s: sees another program’s commit exactly when it declares it shares the file',
    async (name, driver) => {
      const vault = copyFixture('tiny200', temp.path);
      const store = await openVault(vault, { driver: name, readOnly: true });
      try {
        expect(store.driver).toBe(name);
        const before = await store.dataVersion();
        const other = new Database(vault);
        try {
          other
            .prepare("UPDATE vault SET updated_at = '2030-01-01 00:00:00' WHERE rowid = 1")
            .run();
        } finally {
          other.close();
        }
        expect((await store.dataVersion()) !== before).toBe(driver.sharesFileWithOtherPrograms);
      } finally {
        await store.close();
      }
    },
  );
});
