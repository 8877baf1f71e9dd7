/**
 * "Connect to a database" end to end: the built renderer in Chromium, bridged
 * to a real VaultService (real engine-host threads, the real PostgreSQL
 * driver, real Argon2id with the tiny preset), against a real PostgreSQL
 * server started by vitest's globalSetup (vitest.e2e.config.ts) holding a
 * copy of the tiny200 fixture vault. Test connection, connect, rotate
 * through the UI, then the server's table is read back independently.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../src/core/argon2.js';
import { RECENT_CONNECTIONS_FILE } from '../src/main/host/recent-connections.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../test/support/fixtures.js';
import { secretForms } from '../test/support/passwords.js';
import { copyVaultToServer, readServerVault } from '../test/support/server-vault-copy.js';
import {
  serverUnavailable,
  testDatabase,
  type TestDatabase,
} from '../test/support/servers/index.js';
import { openStoredValue } from '../test/support/vault-builder.js';
import { chromiumSkipReason, launchChromium } from './support/chromium.js';
import { serveDirectory, type StaticServer } from './support/static-server.js';
import { assertRendererBuilt, openSession, rendererDir, shot } from './support/browser-session.js';
import { fillConnectForm } from './support/server-form.js';

const NEW_PASSWORD = 'Server-New-Password-2291';

const skipReason = chromiumSkipReason ?? serverUnavailable('postgres');

describe.skipIf(skipReason !== null)('connect to a PostgreSQL vault in the app', () => {
  let browser: Browser;
  let server: StaticServer;
  let temp: TempDir;
  let db: TestDatabase;

  beforeAll(async () => {
    assertRendererBuilt();
    temp = makeTempDir('vsa-e2e-server-');
    db = await testDatabase('postgres');
    const session = await db.connect();
    try {
      await copyVaultToServer(copyFixture('tiny200', temp.path), session);
    } finally {
      await session.close();
    }
    server = await serveDirectory(rendererDir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.dispose();
    temp?.dispose();
  });

  it('tests the connection, connects, rotates with the tiny preset and completes', async () => {
    const manifest = readManifest('tiny200');
    const oldPassword = manifest.spec_entries[0]!.password;
    const records = Object.entries(manifest.records);
    const underOld = records.filter(([, record]) => record.password === oldPassword);

    const session = await openSession(browser, server.url, {
      folder: join(temp.path, 'app'),
      pick: null,
      workers: 1,
      // The server rotation's lock, checkpoint and backup: a temp folder, not ~/.local/state.
      checkpointDir: join(temp.path, 'state'),
    });
    const { page, bridge, problems, dataDir } = session;
    const passwordField = page.getByLabel('Database password', { exact: true });
    try {
      await page.getByRole('button', { name: 'Connect to a database…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Connect to a database' });
      await dialog.waitFor();
      expect(await page.getByLabel('Port', { exact: true }).inputValue()).toBe('5432');
      await fillConnectForm(page, db);

      // Test connection: the vault table found, the password kept for Connect
      await dialog.getByRole('button', { name: 'Test connection' }).click();
      const tested = dialog.getByTestId('connection-test-result');
      await tested.waitFor({ timeout: 60_000 });
      expect(await tested.innerText()).toContain(db.url);
      expect(await tested.innerText()).toContain(`vault (${manifest.n} records)`);
      expect(await passwordField.inputValue()).toBe(db.password);
      await shot(page, 'server-01-connect-tested');

      // Connect, without typing the password again: the vault screen of the server table
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
      await page
        .getByRole('heading', { level: 1, name: `${db.database} on ${db.host}` })
        .waitFor({ timeout: 60_000 });
      await page.getByText(db.url, { exact: true }).waitFor();
      await page.getByText('PostgreSQL server (postgres)').waitFor();
      expect(await page.locator('[data-stat="records"] .stat-value').innerText()).toBe(
        String(manifest.n),
      );
      await shot(page, '11-server-vault');

      // Rotate with the tiny preset, as the SQLite e2e does
      await page.getByRole('button', { name: 'Rotate password…' }).click();
      const rotate = page.getByRole('dialog', { name: 'Rotate password' });
      await rotate.waitFor();
      await page.getByLabel('Current password', { exact: true }).fill(oldPassword);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Confirm new password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByLabel('Argon2id preset').selectOption('custom');
      await rotate.getByRole('button', { name: 'Tiny (tests only)' }).click();
      await rotate.getByRole('button', { name: 'Start rotation' }).click();
      await page.getByTestId('result-title').waitFor({ timeout: 120_000 });
      expect(await page.getByTestId('result-title').innerText()).toBe('Password rotated');
      const result = bridge.events.find((event) => event.type === 'result');
      expect(result?.type === 'result' && result.result.status).toBe('completed');
      expect(await page.locator('[data-stat="rotated"] .stat-value').innerText()).toBe(
        String(underOld.length),
      );
      await shot(page, '12-server-result');

      // The database password never reached the page or the recent list
      const html = await page.content();
      const recentFile = readFileSync(join(dataDir, RECENT_CONNECTIONS_FILE), 'utf8');
      expect(recentFile).toContain(db.database);
      for (const form of secretForms(db.password)) {
        expect(html).not.toContain(form);
        expect(recentFile).not.toContain(form);
        expect(JSON.stringify(bridge.events)).not.toContain(form);
      }
      expect(problems).toEqual([]);
    } catch (error) {
      await shot(page, 'failure-server-connection');
      throw error;
    } finally {
      await session.close();
    }

    // Independently of the app: the server's table against the manifest.
    const dbSession = await db.connect();
    let rows;
    try {
      rows = new Map((await readServerVault(dbSession)).map((row) => [row.id, row]));
    } finally {
      await dbSession.close();
    }
    expect(rows.size).toBe(manifest.n);
    for (const [id, record] of records) {
      const value = rows.get(id)!.vault_value;
      if (record.password !== oldPassword) {
        expect(createHash('sha256').update(value).digest('hex')).toBe(record.value_sha256);
        continue;
      }
      const opened = await openStoredValue(value, NEW_PASSWORD, ARGON2_PRESETS.tiny);
      expect(opened.ok && createHash('sha256').update(opened.plaintext).digest('hex')).toBe(
        record.plaintext_sha256,
      );
    }
  });
});
