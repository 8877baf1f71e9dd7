/** Which driver openVault picks, and how a broken native module is reported. */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVault, probeBetterSqlite3 } from '../../../src/engine/storage/index.js';
import { copyFixture, makeTempDir } from '../../support/fixtures.js';
import type { TempDir } from '../../support/fixtures.js';
import { expectEngineError } from './support/sqlite-vaults.js';

/** The addon this project built for Node (what the desktop app would pass for Electron). */
const realAddon = join(
  dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')),
  'build/Release/better_sqlite3.node',
);

describe('driver selection', () => {
  let temp: TempDir;
  let vault: string;
  let brokenAddon: string;

  beforeEach(() => {
    temp = makeTempDir('vsa-driver-');
    vault = copyFixture('tiny200', temp.path);
    brokenAddon = join(temp.path, 'not-an-addon.node');
    writeFileSync(brokenAddon, 'this is not a native module');
  });
  afterEach(() => temp.dispose());

  it('auto picks better-sqlite3 when its native module loads (it does here)', async () => {
    expect(await probeBetterSqlite3()).toEqual({ ok: true });
    const store = await openVault(vault);
    expect(store.driver).toBe('better-sqlite3');
    expect((await store.info()).driver).toBe('better-sqlite3');
    await store.close();
  });

  it('passes nativeBinding through to better-sqlite3', async () => {
    const store = await openVault(vault, { nativeBinding: realAddon });
    expect(store.driver).toBe('better-sqlite3');
    await store.close();
  });

  it('auto falls back to sql.js when the native module cannot load', async () => {
    const probe = await probeBetterSqlite3(brokenAddon);
    expect(probe.ok).toBe(false);
    const store = await openVault(vault, { nativeBinding: brokenAddon });
    expect(store.driver).toBe('sql.js');
    expect(await store.countRecords('vault')).toBe(200);
    await store.close();
  });

  it('forcing better-sqlite3 with a broken native module gives NATIVE_UNAVAILABLE with the way out', async () => {
    await expectEngineError(
      openVault(vault, { driver: 'better-sqlite3', nativeBinding: brokenAddon }),
      'NATIVE_UNAVAILABLE',
      /rebuild.*sql\.js/is,
    );
  });

  it('rejects a nonsensical busy timeout', async () => {
    await expectEngineError(openVault(vault, { busyTimeoutMs: -1 }), 'USAGE', /whole number/);
  });
});
