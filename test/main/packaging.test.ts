/**
 * The packaged app as electron-builder.yml describes it: the fuses the
 * afterPack hook flips (config and the hook run on a binary with a real fuse
 * wire), main's code inside app.asar with only native packages unpacked, the
 * engine host run from its bundle read out of a real app.asar, and the native
 * SQLite binding found at its extraResources place in a laid-out resources folder.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createPackage, extractFile } from '@electron/asar';
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import afterPack, { electronBinaryPath, fuseConfig } from '../../scripts/after-pack.mjs';
import {
  appWorkerEntries,
  buildWorkers,
  UNBUNDLED_PACKAGES,
} from '../../scripts/build-workers.mjs';
import type { RotationResult, VerifyResult } from '../../src/core/types.js';
import {
  readWorkerBundles,
  startWorkerBundle,
  unpackedPath,
  WORKER_BUNDLE_FOLDER,
} from '../../src/engine/worker-script.js';
import type { HostCommand, HostReply } from '../../src/main/host/engine-host-protocol.js';
import {
  chooseSqliteDriver,
  ELECTRON_NATIVE_BINDING,
  PACKAGED_NATIVE_BINDING,
} from '../../src/main/host/native-sqlite.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  expectConsistentWithFixture,
  makeVault,
  NEW_PASSWORD,
  rotateCommand,
} from './support/vaults.js';

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

/** The package folders electron-builder unpacks ('node_modules/x/**' -> 'node_modules/x'). */
function unpackedPackageFolders(): string[] {
  return (builder.asarUnpack ?? []).map((pattern) => {
    expect(pattern, 'only packages with native or wasm files are unpacked').toMatch(
      /^node_modules\/[\w@.-]+\/\*\*$/,
    );
    return pattern.slice(0, -'/**'.length);
  });
}

describe('electron-builder.yml', () => {
  it('packs the app into asar, main code included; unpacks only native packages; runs the fuse hook', () => {
    expect(builder.asar).toBe(true);
    const unpacked = unpackedPackageFolders();
    expect(unpacked).not.toContain('out');
    // Each package a worker bundle requires at run time (@node-rs/argon2 with its platform packages).
    for (const name of UNBUNDLED_PACKAGES) {
      const folder = `node_modules/${name.startsWith('@') ? name.split('/')[0] : name}`;
      expect(unpacked, name).toContain(folder);
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

  it('maps a path inside app.asar to app.asar.unpacked, and nothing else', () => {
    const resources = resourcesFolder();
    const inArchive = join(resources, 'app.asar', 'out', 'main', 'workers', 'engine-host.cjs');
    expect(unpackedPath(inArchive)).toBe(
      join(resources, 'app.asar.unpacked', 'out', 'main', 'workers', 'engine-host.cjs'),
    );
    expect(unpackedPath('/opt/app.asarx/out')).toBe('/opt/app.asarx/out');
    expect(unpackedPath('/opt/app/out')).toBe('/opt/app/out');
  });

  /** What a packed package needs at run time (not better-sqlite3's C sources, nor sql.js's other builds). */
  function runtimeFile(path: string): boolean {
    const parts = path.split(sep);
    const inPackage = (name: string): string[] | null => {
      const at = parts.lastIndexOf(name);
      return at < 0 ? null : parts.slice(at + 1);
    };
    const sqlite = inPackage('better-sqlite3');
    if (sqlite?.[0] === 'deps' || sqlite?.[0] === 'src') return false;
    if (sqlite?.[0] === 'build' && sqlite.length > 1 && sqlite[1] !== 'Release') return false;
    if (sqlite?.[1] === 'Release' && sqlite.length > 2) return sqlite[2] === 'better_sqlite3.node';
    const sqlJs = inPackage('sql.js');
    if (sqlJs?.[0] === 'dist' && sqlJs.length > 1) return /^sql-wasm\.(js|wasm)$/.test(sqlJs[1]!);
    return true;
  }

  it('runs a rotation in the engine host started from its bundle in a real app.asar', async () => {
    // The app as electron-builder packs it: out/ in app.asar (a real archive, which a
    // plain Node thread cannot read), the packages of asarUnpack in app.asar.unpacked.
    const app = join(temp.path, 'app');
    await buildWorkers(appWorkerEntries(), {
      outdir: join(app, 'out', 'main', WORKER_BUNDLE_FOLDER),
    });
    writeFileSync(join(app, 'package.json'), '{"type":"module"}');
    const resources = resourcesFolder();
    const archive = join(resources, 'app.asar');
    await createPackage(app, archive);
    for (const folder of unpackedPackageFolders()) {
      cpSync(join(root, folder), join(resources, 'app.asar.unpacked', folder), {
        recursive: true,
        filter: runtimeFile,
      });
    }

    // Main reads the bundles out of the archive (Electron's fs does; @electron/asar here).
    const read = (path: string): string => extractFile(archive, relative(archive, path)).toString();
    const workers = join(archive, 'out', 'main', WORKER_BUNDLE_FOLDER);
    const bundles = readWorkerBundles(workers, 'engine-host', read);
    expect([...(bundles?.keys() ?? [])].sort()).toEqual(['crypto-worker', 'engine-host']);
    expect(readWorkerBundles(workers, 'no-such-worker', read)).toBeNull();

    const vault = makeVault(temp.path);
    // The packaged app runs from any folder: nothing may resolve from the checkout's node_modules.
    const cwd = process.cwd();
    process.chdir(temp.path);
    onTestFinished(() => process.chdir(cwd));
    const run = async <T>(command: HostCommand, transfer: ArrayBuffer[]): Promise<T> => {
      const thread = startWorkerBundle(bundles!, 'engine-host');
      try {
        return await new Promise<T>((resolveReply, reject) => {
          thread.on('message', (reply: HostReply) => {
            if (reply.type === 'done') resolveReply(reply.value as T);
            else if (reply.type === 'failed') reject(new Error(reply.error.message));
          });
          thread.once('error', reject);
          thread.once('exit', (code) => reject(new Error(`engine host exited (${code})`)));
          thread.postMessage(command, transfer);
        });
      } finally {
        await thread.terminate();
      }
    };
    // better-sqlite3 and @node-rs/argon2 (native, from app.asar.unpacked); the pool's workers from memory.
    const rotate = rotateCommand(vault, {
      workers: 2,
      driver: 'better-sqlite3',
      kdfBackend: 'native',
    });
    const rotated = await run<RotationResult>(rotate.command, rotate.transfer);
    expect(rotated).toMatchObject({ status: 'completed', rotated: vault.underOld, failed: 0 });
    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
    // sql.js (its wasm file found next to it in app.asar.unpacked); hash-wasm, bundled.
    const password = new TextEncoder().encode(NEW_PASSWORD);
    const verified = await run<VerifyResult>(
      {
        type: 'verify',
        options: {
          vaultPath: vault.path,
          table: vault.table,
          password,
          config: vault.config,
          workers: 1,
          driver: 'sql.js',
          kdfBackend: 'wasm',
        },
      },
      [password.buffer],
    );
    expect(verified).toMatchObject({ opened: vault.underOld, malformed: 0 });
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
