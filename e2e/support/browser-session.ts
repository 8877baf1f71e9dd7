/**
 * One page of the built renderer in Chromium, bridged to a real VaultService
 * with its own data folder: what every browser spec starts from. Console
 * errors, page errors and CSP violations are collected in `problems`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { VaultService } from '../../src/main/host/vault-service.js';
import { makeTempDir, type TempDir } from '../../test/support/fixtures.js';
import { launchChromium } from './chromium.js';
import { serveDirectory, type StaticServer } from './static-server.js';
import { installVaultAdminBridge, type VaultAdminBridge } from './vault-admin-bridge.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const rendererDir = join(repoRoot, 'out', 'renderer');
export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');

export interface Session {
  service: VaultService;
  context: BrowserContext;
  page: Page;
  bridge: VaultAdminBridge;
  /** console errors, page errors and CSP violations: must stay empty */
  problems: string[];
  dataDir: string;
  exportDir: string;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** the app's data folder and export folder go under it */
  folder: string;
  /** what the "native open dialog" answers (a function: asked at each call) */
  pick: string | null | (() => string | null);
  workers: number;
  /** vaults opened once beforehand, so that they are in the recent list */
  recent?: string[];
  /** viewport, colour scheme, …; the default is a 1100x760 light window */
  context?: BrowserContextOptions;
  /** rotation checkpoints, locks and backups of server vaults (default: next to a file vault) */
  checkpointDir?: string;
}

/** Fails early, with what to do, when the renderer was not built. */
export function assertRendererBuilt(): void {
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new Error(
      `${rendererDir}/index.html is missing: build first (npm run test:e2e runs electron-vite build).`,
    );
  }
  mkdirSync(screenshotDir, { recursive: true });
}

/** `fullPage`: the whole scrolled page, not only the window. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}

/** The rotate dialog's three password fields. */
export async function fillPasswords(page: Page, current: string, next: string): Promise<void> {
  await page.getByLabel('Current password', { exact: true }).fill(current);
  await page.getByLabel('New password', { exact: true }).fill(next);
  await page.getByLabel('Confirm new password', { exact: true }).fill(next);
}

export async function openSession(
  browser: Browser,
  url: string,
  options: SessionOptions,
): Promise<Session> {
  const dataDir = join(options.folder, 'app-data');
  const exportDir = join(options.folder, 'exports');
  mkdirSync(exportDir, { recursive: true });
  const service = new VaultService({
    dataDir,
    workers: options.workers,
    ...(options.checkpointDir ? { checkpointDir: options.checkpointDir } : {}),
  });
  // Opening them once is what puts them in the recent list.
  for (const path of options.recent ?? []) {
    const opened = await service.openChosenPath(path);
    if (!opened.ok) throw new Error(`could not open ${path}: ${opened.error.message}`);
  }
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    ...options.context,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const bridge = await installVaultAdminBridge(page, service, {
    pickVault: () => (typeof options.pick === 'function' ? options.pick() : options.pick),
    exportDir,
  });
  await page.goto(url);
  return {
    service,
    context,
    page,
    bridge,
    problems,
    dataDir,
    exportDir,
    async close() {
      bridge.dispose();
      await context.close();
      await service.dispose();
    },
  };
}

export interface BrowserSuite {
  /** the suite's temp folder (valid inside tests) */
  readonly folder: string;
  /** a new session in its own subfolder */
  start(options: Omit<SessionOptions, 'folder'>): Promise<Session>;
}

/**
 * For a describe block: the built renderer served, Chromium launched and a
 * temp folder made before its tests, all closed after them.
 */
export function browserSuite(tempPrefix: string): BrowserSuite {
  let browser: Browser;
  let server: StaticServer;
  let temp: TempDir;
  let sessions = 0;
  beforeAll(async () => {
    assertRendererBuilt();
    temp = makeTempDir(tempPrefix);
    server = await serveDirectory(rendererDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    temp?.dispose();
  });
  return {
    get folder() {
      return temp.path;
    },
    start(options) {
      sessions += 1;
      return openSession(browser, server.url, {
        ...options,
        folder: join(temp.path, `session-${sessions}`),
      });
    },
  };
}
