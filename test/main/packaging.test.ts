/**
 * The packaged app as electron-builder.yml describes it: the fuses the
 * afterPack hook flips (config and the hook run on a binary with a real fuse
 * wire), asar with the workers unpacked and found there, and the native SQLite
 * binding found at its extraResources place in a laid-out resources folder.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import afterPack, { electronBinaryPath, fuseConfig } from '../../scripts/after-pack.mjs';
import { builtWorkerFile, unpackedPath } from '../../src/engine/worker-script.js';
import {
  chooseSqliteDriver,
  ELECTRON_NATIVE_BINDING,
  PACKAGED_NATIVE_BINDING,
} from '../../src/main/host/native-sqlite.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const root = resolve(import.meta.dirname, '../..');

interface BuilderConfig {
  asar?: boolean;
  asarUnpack?: string[];
  afterPack?: string;
  extraResources?: Array<{ from: string; to: string }>;
}

// electron-builder's own YAML parser (js-yaml, untyped): the file is read as electron-builder reads it.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const builder = yaml.load(
  readFileSync(join(root, 'electron-builder.yml'), 'utf8'),
) as BuilderConfig;

/** The better-sqlite3 build that loads in this Node (stands in for the Electron build in a package). */
function nodeBetterSqlite3(): string {
  const packageJson = createRequire(import.meta.url).resolve('better-sqlite3/package.json');
  return join(dirname(packageJson), 'build', 'Release', 'better_sqlite3.node');
}

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('vsa-packaging-');
});
afterEach(() => temp.dispose());

describe('electron-builder.yml', () => {
  it('packs the app into asar, unpacks the worker code and native modules, and runs the fuse hook', () => {
    expect(builder.asar).toBe(true);
    for (const pattern of [
      'out/main/**',
      'node_modules/better-sqlite3/**',
      'node_modules/@node-rs/**',
      'node_modules/hash-wasm/**',
      'node_modules/sql.js/**',
    ]) {
      expect(builder.asarUnpack, pattern).toContain(pattern);
    }
    expect(builder.afterPack).toBe('./scripts/after-pack.mjs');
  });

  it('ships the Electron SQLite build where the driver chooser looks for it', () => {
    expect(builder.extraResources).toContainEqual({
      from: ELECTRON_NATIVE_BINDING.split('\\').join('/'),
      to: PACKAGED_NATIVE_BINDING.split('\\').join('/'),
    });
  });
});

describe('afterPack fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect; turns on cookie encryption and asar-only loading', () => {
    for (const platform of ['linux', 'win32', 'darwin', 'mas']) {
      const config = fuseConfig(platform);
      expect(config.version).toBe(FuseVersion.V1);
      expect(config[FuseV1Options.RunAsNode], platform).toBe(false);
      expect(config[FuseV1Options.EnableNodeOptionsEnvironmentVariable], platform).toBe(false);
      expect(config[FuseV1Options.EnableNodeCliInspectArguments], platform).toBe(false);
      expect(config[FuseV1Options.EnableCookieEncryption], platform).toBe(true);
      expect(config[FuseV1Options.OnlyLoadAppFromAsar], platform).toBe(true);
      expect(config[FuseV1Options.GrantFileProtocolExtraPrivileges], platform).toBe(false);
    }
    // Electron validates the embedded asar hash on macOS and Windows only.
    expect(fuseConfig('darwin')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuseConfig('win32')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(fuseConfig('linux')[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(false);
  });

  it('finds the packed Electron binary per platform', () => {
    const packager = { appInfo: { productFilename: 'VaultStore Admin' }, executableName: 'vsa' };
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', packager })).toBe(
      join('/o', 'vsa'),
    );
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(
      join('/o', 'VaultStore Admin.exe'),
    );
    expect(electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe(
      join('/o', 'VaultStore Admin.app'),
    );
    expect(() =>
      electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'beos', packager }),
    ).toThrow(/unknown platform/);
  });

  it('flips the fuse wire of the packed binary', async () => {
    // A stand-in executable holding Electron's fuse wire: sentinel, version 1, 9 fuses, all "inherit/default".
    const sentinel = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
    const wire = Buffer.from([1, 9, ...Array<number>(9).fill(0x31)]);
    const binary = join(temp.path, 'vaultstore-admin');
    writeFileSync(
      binary,
      Buffer.concat([Buffer.from('ELF....'), Buffer.from(sentinel), wire, Buffer.from('tail')]),
    );
    await afterPack({
      appOutDir: temp.path,
      electronPlatformName: 'linux',
      packager: {
        appInfo: { productFilename: 'VaultStore Admin' },
        executableName: 'vaultstore-admin',
      },
    });
    const fuses = await getCurrentFuseWire(binary);
    const on = 0x31;
    const off = 0x30;
    expect(fuses[FuseV1Options.RunAsNode]).toBe(off);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(on);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(off);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(off);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(off);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(on);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(off);
    // A fuse this @electron/fuses does not know is left as Electron set it.
    expect(fuses[8 as FuseV1Options]).toBe(on);
  });

  it('fails the build when the binary has no fuse wire', async () => {
    writeFileSync(join(temp.path, 'app'), 'not electron');
    await expect(
      afterPack({
        appOutDir: temp.path,
        electronPlatformName: 'linux',
        packager: { appInfo: { productFilename: 'app' }, executableName: 'app' },
      }),
    ).rejects.toThrow(/sentinel/);
  });
});

describe('packaged layout: workers and native SQLite', () => {
  /** <temp>/resources as electron-builder lays it out: app.asar, app.asar.unpacked, extraResources. */
  function resourcesFolder(): string {
    const resources = join(temp.path, 'resources');
    mkdirSync(join(resources, 'app.asar.unpacked', 'out', 'main'), { recursive: true });
    return resources;
  }

  it('runs workers from app.asar.unpacked when the bundle sits in app.asar', async () => {
    const resources = resourcesFolder();
    const inArchive = join(resources, 'app.asar', 'out', 'main');
    expect(unpackedPath(inArchive)).toBe(join(resources, 'app.asar.unpacked', 'out', 'main'));
    expect(unpackedPath('/opt/app.asarx/out')).toBe('/opt/app.asarx/out');
    const worker = join(resources, 'app.asar.unpacked', 'out', 'main', 'engine-host.js');
    writeFileSync(
      worker,
      "import { parentPort } from 'node:worker_threads'; parentPort.postMessage('unpacked');",
    );
    writeFileSync(join(resources, 'app.asar.unpacked', 'package.json'), '{"type":"module"}');
    const found = builtWorkerFile(inArchive, 'engine-host');
    expect(found).toBe(worker);
    expect(builtWorkerFile(inArchive, 'kdf-worker')).toBeNull();
    const thread = new Worker(found!);
    try {
      const message = await new Promise((resolveMessage, reject) => {
        thread.once('message', resolveMessage);
        thread.once('error', reject);
      });
      expect(message).toBe('unpacked');
    } finally {
      await thread.terminate();
    }
  });

  it('picks the native driver shipped in resources/ of a packaged app', async () => {
    const resources = resourcesFolder();
    const shipped = builder.extraResources?.[0]?.to;
    expect(shipped).toBeDefined();
    const binding = join(resources, shipped!);
    mkdirSync(dirname(binding), { recursive: true });
    copyFileSync(nodeBetterSqlite3(), binding);
    const choice = await chooseSqliteDriver({
      appRoot: join(resources, 'app.asar'),
      isPackaged: true,
      resourcesPath: resources,
    });
    expect(choice).toMatchObject({ driver: 'better-sqlite3', nativeBinding: binding });
    expect(choice.reason).toContain(binding);
  });

  it('says clearly that it falls back to sql.js when the packaged binding is missing or broken', async () => {
    const resources = resourcesFolder();
    const input = {
      appRoot: join(resources, 'app.asar'),
      isPackaged: true,
      resourcesPath: resources,
    };
    const missing = await chooseSqliteDriver(input);
    expect(missing.driver).toBe('sql.js');
    expect(missing.nativeBinding).toBeUndefined();
    expect(missing.reason).toContain(join(resources, PACKAGED_NATIVE_BINDING));
    expect(missing.reason).toContain('using sql.js');
    const binding = join(resources, PACKAGED_NATIVE_BINDING);
    mkdirSync(dirname(binding), { recursive: true });
    writeFileSync(binding, 'not a shared library');
    const broken = await chooseSqliteDriver(input);
    expect(broken.driver).toBe('sql.js');
    expect(broken.reason).toContain('did not load');
    expect(broken.reason).toContain('Reinstall');
  });

  it('in development uses native/electron/, else node_modules (plain Node here)', async () => {
    const development = { appRoot: temp.path, isPackaged: false, resourcesPath: '/nowhere' };
    expect(await chooseSqliteDriver(development)).toMatchObject({ driver: 'better-sqlite3' });
    const devBuild = join(temp.path, ELECTRON_NATIVE_BINDING);
    mkdirSync(dirname(devBuild), { recursive: true });
    writeFileSync(devBuild, 'not a shared library');
    const choice = await chooseSqliteDriver(development);
    expect(choice.driver).toBe('sql.js');
    expect(choice.reason).toContain('electron-native.mjs');
  });
});
