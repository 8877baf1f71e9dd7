/**
 * The desktop app as built by `electron-vite build` (npm run test:e2e builds
 * first).
 *
 * 1. Always: the build holds every bundle main needs (engine host and engine
 *    workers next to index.js, CommonJS preload, CSP in index.html), and the
 *    built engine host rotates a real vault copy under plain Node.
 * 2. With the Electron binary: Playwright's `_electron.launch` of the real app,
 *    open -> rotate -> progress -> result through the real preload and main.
 *    Skipped with a printed reason where Electron could not be downloaded.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RotationProgress, RotationResult } from '../src/engine/rotation/types.js';
import {
  readWorkerBundles,
  startWorkerBundle,
  WORKER_BUNDLE_FOLDER,
} from '../src/engine/worker-script.js';
import type { HostReply } from '../src/main/host/engine-host-protocol.js';
import type { JobEvent, VaultAdminApi, VaultSummary } from '../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../test/support/fixtures.js';
import { runVsref, vsrefPath, vsrefSkipReason } from '../test/support/vsref.js';
import {
  expectConsistentWithFixture,
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  rotateCommand,
  type TestVault,
} from '../test/main/support/vaults.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'out');
const screenshots = join(root, 'test-results', 'electron');

/** The Electron executable if the electron package downloaded it; never triggers a download. */
function electronBinary(): string | null {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const electronSkipReason =
  'the Electron binary is not installed (node_modules/electron/path.txt or dist/ missing; it is downloaded ' +
  'from GitHub on first `npm start`, which this machine cannot reach): skipping the Electron launch spec';
if (!binary) console.warn(`[skip] ${electronSkipReason}`);

async function vsrefVerify(vault: TestVault): Promise<void> {
  if (!vsrefPath) {
    console.warn(`[skip] ${vsrefSkipReason}`);
    return;
  }
  const { stdout, stderr, code } = await runVsref([
    'verify',
    '-db',
    vault.path,
    '-manifest',
    `${vault.path}.manifest.json`,
    '-table',
    vault.table,
    '-config',
    'tiny',
    '-expect',
    `${OLD_PASSWORD}=>${NEW_PASSWORD}`,
    '-softdeleted',
    'rotated',
  ]);
  expect(`${stdout}${stderr}`, 'vsref verify').toContain('verify: PASS');
  expect(code).toBe(0);
}

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir('vsa-electron-e2e-');
});
afterEach(() => temp.dispose());

describe('built desktop app', () => {
  it('holds main, a bundle for the engine host and every engine worker, and a CommonJS preload', () => {
    expect(existsSync(join(out, 'main', 'index.js')), 'run `electron-vite build` first').toBe(true);
    for (const worker of ['engine-host', 'crypto-worker', 'kdf-worker']) {
      expect(existsSync(join(out, 'main', WORKER_BUNDLE_FOLDER, `${worker}.cjs`)), worker).toBe(
        true,
      );
    }
    const preload = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    expect(preload).toContain('require("electron")');
    expect(preload).toContain('exposeInMainWorld("vaultAdmin"');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('ships index.html with the strict CSP before any script', () => {
    const html = readFileSync(join(out, 'renderer', 'index.html'), 'utf8');
    const csp = html.indexOf('http-equiv="Content-Security-Policy"');
    expect(csp).toBeGreaterThan(-1);
    expect(csp).toBeLessThan(html.indexOf('<script'));
    expect(html).toContain('default-src &#39;none&#39;; script-src &#39;self&#39;');
    expect(html).not.toContain('unsafe-');
  });

  it('rotates a real vault copy with the built engine host and its built workers', async () => {
    const vault = makeVault(temp.path);
    const bundles = readWorkerBundles(join(out, 'main', WORKER_BUNDLE_FOLDER), 'engine-host');
    expect(bundles, 'run `electron-vite build` first').not.toBeNull();
    const worker = startWorkerBundle(bundles!, 'engine-host');
    const { command, transfer } = rotateCommand(vault, { backup: true, workers: 2, batchSize: 32 });
    const progress: number[] = [];
    try {
      const result = await new Promise<RotationResult>((resolvePromise, reject) => {
        worker.on('message', (reply: HostReply) => {
          if (reply.type === 'progress')
            progress.push((reply.progress as RotationProgress).scanned);
          else if (reply.type === 'done') resolvePromise(reply.value as RotationResult);
          else if (reply.type === 'failed')
            reject(new Error(`${reply.error.code}: ${reply.error.message}`));
        });
        worker.on('error', reject);
        worker.postMessage(command, transfer);
      });
      expect(result).toMatchObject({ status: 'completed', rotated: vault.underOld, failed: 0 });
      expect(result.backupPath && existsSync(result.backupPath)).toBe(true);
      expect(progress.some((scanned) => scanned > 0 && scanned < vault.records)).toBe(true);
    } finally {
      await worker.terminate();
    }
    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
    await vsrefVerify(vault);
  });
});

type Page = Awaited<ReturnType<ElectronApplication['firstWindow']>>;

/** window.vaultAdmin and an event log, as seen from page.evaluate (no DOM types in this project). */
interface PageGlobals {
  vaultAdmin: VaultAdminApi;
  jobEvents: JobEvent[];
  require?: unknown;
  process?: unknown;
}

describe.skipIf(!binary)('Electron app (real main and preload)', () => {
  let app: ElectronApplication | null = null;

  afterAll(async () => {
    await app?.close();
  });

  async function launch(): Promise<Page> {
    const userData = join(temp.path, 'user-data');
    mkdirSync(userData);
    const env: Record<string, string> = { VAULTSTORE_ADMIN_USER_DATA: userData };
    for (const [key, value] of Object.entries(process.env)) {
      // ELECTRON_RUN_AS_NODE would turn the app into plain Node
      if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] ??= value;
    }
    if (binary === null)
      throw new Error('launch() needs the Electron binary (the suite skips without it)');
    app = await electron.launch({
      executablePath: binary,
      args: [root],
      cwd: root,
      env,
    });
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    return page;
  }

  it('opens a vault, rotates it with progress, verifies it, through window.vaultAdmin', async () => {
    mkdirSync(screenshots, { recursive: true });
    const vault = makeVault(temp.path, 3);
    const page = await launch();

    // The page sees the API and nothing of Node or Electron.
    const surface = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      let evalBlocked = false;
      try {
        (0, eval)('1');
      } catch {
        evalBlocked = true;
      }
      return {
        keys: Object.keys(g.vaultAdmin).sort(),
        require: typeof g.require,
        process: typeof g.process,
        evalBlocked,
      };
    });
    expect(surface.keys).toEqual(
      [
        'cancelJob',
        'exportReport',
        'onJobEvent',
        'openVaultDialog',
        'openVault',
        'openDroppedFile',
        'preflight',
        'recentVaults',
        'startRotation',
        'verify',
      ].sort(),
    );
    expect(surface).toMatchObject({
      require: 'undefined',
      process: 'undefined',
      evalBlocked: true,
    });

    // The page cannot name a path: main refuses one where a vault handle belongs.
    const byPath = await page.evaluate(
      (path) => (globalThis as unknown as PageGlobals).vaultAdmin.openVault(path),
      vault.path,
    );
    expect(byPath.ok).toBe(false);
    // The user picks the vault in the native dialog (answered here from main, as Playwright allows).
    await app?.evaluate(({ dialog }, path) => {
      dialog.showOpenDialog = async () => ({ canceled: false, filePaths: [path] });
    }, vault.path);
    const opened = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.jobEvents = [];
      g.vaultAdmin.onJobEvent((event) => g.jobEvents.push(event));
      return g.vaultAdmin.openVaultDialog();
    });
    if (!opened.ok || !opened.value)
      throw new Error(opened.ok ? 'cancelled' : opened.error.message);
    const summary: VaultSummary = opened.value;
    expect(page.url()).toBe('app://vaultstore/index.html');
    expect(summary.tables[0]?.records).toBe(vault.records);
    const title = await app?.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0]?.getTitle(),
    );
    expect(title).toContain('tiny200.db');
    await page.screenshot({ path: join(screenshots, 'electron-vault.png') });

    const started = await page.evaluate(
      ({ handle, table, oldPassword, newPassword }) =>
        (globalThis as unknown as PageGlobals).vaultAdmin.startRotation(
          {
            vault: handle,
            table,
            oldPassword,
            newPassword,
            crypto: { preset: 'tiny' },
            includeSoftDeleted: true,
            backup: false,
            dryRun: false,
            resume: false,
          },
          crypto.randomUUID(),
        ),
      {
        handle: summary.handle,
        table: vault.table,
        oldPassword: OLD_PASSWORD,
        newPassword: NEW_PASSWORD,
      },
    );
    if (!started.ok) throw new Error(started.error.message);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobals).jobEvents.some(
          (event) => event.type === 'result' || event.type === 'error',
        ),
      undefined,
      { timeout: 120_000 },
    );
    await page.screenshot({ path: join(screenshots, 'electron-result.png') });
    const events = await page.evaluate(() => (globalThis as unknown as PageGlobals).jobEvents);
    const final = events.at(-1);
    expect(final?.type).toBe('result');
    if (final?.type === 'result')
      expect(final.result).toMatchObject({ status: 'completed', rotated: vault.underOld });
    expect(events.filter((event) => event.type === 'progress').length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(OLD_PASSWORD);
    expect(JSON.stringify(events)).not.toContain(NEW_PASSWORD);

    const verified = await page.evaluate(
      ({ handle, table, password }) =>
        (globalThis as unknown as PageGlobals).vaultAdmin.verify(
          {
            vault: handle,
            table,
            password,
            crypto: { preset: 'tiny' },
          },
          crypto.randomUUID(),
        ),
      { handle: summary.handle, table: vault.table, password: NEW_PASSWORD },
    );
    expect(verified.ok && verified.value.opened).toBe(vault.underOld);
    await app?.close();
    app = null;
    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
  });
});
