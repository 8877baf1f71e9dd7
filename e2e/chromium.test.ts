/**
 * The built renderer (out/renderer, from `electron-vite build`) in Debian's
 * Chromium, with `window.vaultAdmin` bridged to a real VaultService in this
 * process: real vault files in a temp folder, real engine-host threads and
 * worker pools, real Argon2id. Only the native "open" and "save" dialogs are
 * answered by the bridge. Screenshots of every screen go to
 * test-results/screenshots/; the README's pictures in docs/screenshots are
 * copies of 03-rotate-dialog, 04-progress and 06-result from a run.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../src/core/argon2.js';
import type { JobEvent, RotationResult } from '../src/shared/ipc-contract.js';
import { copyFixture, readManifest } from '../test/support/fixtures.js';
import { openStoredValue, readRows, type BuiltVault } from '../test/support/vault-builder.js';
import { runVsref, vsrefPath, vsrefSkipReason } from '../test/support/vsref.js';
import { chromiumSkipReason } from './support/chromium.js';
import {
  BIG_VAULT_RECORDS,
  buildBigVault,
  countsOf,
  LIGHTWEIGHT,
  NEW_PASSWORD,
  PASSWORD_A,
  PASSWORD_B,
} from './support/test-vaults.js';
import { browserSuite, fillPasswords, shot } from './support/browser-session.js';

function count(text: string): number {
  return Number(text.replace(/,/g, ''));
}

function results(events: readonly JobEvent[]): RotationResult[] {
  return events.flatMap((event) => (event.type === 'result' ? [event.result] : []));
}

async function statValue(page: Page, id: string): Promise<number> {
  return count(await page.locator(`[data-stat="${id}"] .stat-value`).innerText());
}

/**
 * Reads the progress caption until it has shown two increasing, unfinished
 * scanned counts, the second at least `atLeast` (a fuller bar for the screenshot).
 */
async function observeAdvancingProgress(
  page: Page,
  total: number,
  atLeast: number,
): Promise<number[]> {
  const seen: number[] = [];
  const caption = page.getByTestId('scanned');
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const match = /^([\d,]+) of ([\d,]+) records scanned$/.exec(await caption.innerText());
    if (match) {
      expect(count(match[2]!)).toBe(total);
      const scanned = count(match[1]!);
      if (scanned > 0 && scanned < total && scanned > (seen.at(-1) ?? 0)) {
        if (seen.length === 0 || scanned >= atLeast) seen.push(scanned);
      }
      if (seen.length === 2) return seen;
    }
    await page.waitForTimeout(40);
  }
  throw new Error(`progress did not advance twice (saw ${seen.join(', ') || 'nothing'})`);
}

/**
 * Best effort, for a nicer picture only: retakes a screenshot once the bar
 * is at least `fraction` along, unless the run ends first. Asserts nothing.
 */
async function reshootWhenAlong(page: Page, name: string, fraction: number): Promise<void> {
  const caption = page.getByTestId('scanned');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await caption.textContent({ timeout: 500 }).catch(() => null);
    if (text === null) return;
    const match = /^([\d,]+) of ([\d,]+) records scanned$/.exec(text);
    if (match && count(match[1]!) >= count(match[2]!) * fraction) {
      await shot(page, name);
      return;
    }
    await page.waitForTimeout(40);
  }
}

describe.skipIf(chromiumSkipReason !== null)(
  'the renderer in Chromium, bridged to the real engine',
  () => {
    const suite = browserSuite('vsa-e2e-');
    const startSession = suite.start;

    it('opens a vault, rotates with visible progress, cancels midway, resumes, finishes and verifies', async () => {
      const bigPath = join(suite.folder, 'customers.db');
      const vault: BuiltVault = await buildBigVault(bigPath);
      const expected = countsOf(vault.records);
      const recent = [copyFixture('default60', suite.folder), copyFixture('tiny200', suite.folder)];
      // Two workers: slow enough (lightweight Argon2id, ~300 derivations) that cancel lands early.
      const session = await startSession({ pick: bigPath, workers: 2, recent });
      const { page, bridge } = session;
      try {
        // Start screen
        await expect
          .poll(() => page.getByRole('heading', { level: 1 }).innerText())
          .toBe('VaultStore Admin');
        await page.getByRole('button', { name: /tiny200\.db/ }).waitFor();
        await shot(page, '01-start');

        // Vault screen, through the "native dialog"
        await page.getByRole('button', { name: 'Open vault…' }).click();
        await page.getByRole('heading', { level: 1, name: 'customers.db' }).waitFor();
        expect(await statValue(page, 'records')).toBe(expected.records);
        expect(await statValue(page, 'soft-deleted')).toBe(expected.softDeleted);
        expect(await statValue(page, 'expired')).toBe(expected.expired);
        expect(await statValue(page, 'v1')).toBe(expected.v1);
        expect(await statValue(page, 'other')).toBe(0);
        await expect.poll(() => page.title()).toBe('customers.db · VaultStore Admin');
        await shot(page, '02-vault');

        // Rotate dialog with a pre-flight check
        await page.getByRole('button', { name: 'Rotate password…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Rotate password' });
        await dialog.waitFor();
        const start = dialog.getByRole('button', { name: 'Start rotation' });
        expect(await start.isDisabled()).toBe(true);
        await page.getByLabel('Argon2id preset').selectOption('lightweight');
        // A wrong current password: Enter starts the rotation, whose own check opens nothing:
        // refused before anything is written, the dialog still open with the passwords.
        await fillPasswords(page, 'Not-the-application-password-0', NEW_PASSWORD);
        await page.getByLabel('Current password', { exact: true }).press('Enter');
        const refused = dialog
          .getByRole('alert')
          .filter({ hasText: /None of the \d+ sampled records opened/ });
        await refused.waitFor({ timeout: 120_000 });
        await refused.getByText(/the new password opened none of 8 sampled records/).waitFor();
        expect(await start.isDisabled()).toBe(true);
        expect(await start.getAttribute('class')).not.toContain('button-primary');
        await page.getByLabel('Confirm new password', { exact: true }).press('Enter');
        await refused.getByRole('button', { name: 'Rotate anyway…' }).click();
        const anyway = dialog.getByRole('alertdialog', { name: /Test all 160 records/ });
        await anyway.getByRole('button', { name: 'Back' }).click();
        await anyway.waitFor({ state: 'detached' });
        // One job, its check's result, then its refusal: no record counted, no second job.
        const told = bridge.events.filter(
          (event) =>
            event.type !== 'preflight-progress' &&
            (event.type !== 'progress' || event.progress.scanned > 0),
        );
        expect(told.map((event) => event.type)).toEqual(['preflight-result', 'error']);
        expect(told[1]).toMatchObject({ error: { code: 'NOTHING_OPENED' } });
        expect(await page.getByLabel('New password', { exact: true }).inputValue()).toBe(
          NEW_PASSWORD,
        );
        // The right one: Start is the action again
        await page.getByLabel('Current password', { exact: true }).fill(PASSWORD_A);
        expect(await start.isEnabled()).toBe(true);
        expect(await start.getAttribute('class')).toContain('button-primary');
        await shot(page, '03-rotate-dialog');

        // Start: its own check is the pre-flight, then the progress bar advances
        await start.click();
        await page.getByRole('heading', { level: 1, name: 'Rotating password' }).waitFor();
        expect(await page.getByLabel('Current password', { exact: true }).count()).toBe(0);
        const passed = bridge.events.find(
          (event) => event.type === 'preflight-result' && event.result.canRotate,
        );
        expect(passed?.type === 'preflight-result' && passed.result.opened).toBeGreaterThan(0);
        // Exactly one check per Start: the page never asked for a separate one.
        expect(bridge.calls.filter((call) => call === 'preflight')).toEqual([]);
        // ~300 derivations in all: 8 % is well under a second in, far from the end.
        const seen = await observeAdvancingProgress(
          page,
          BIG_VAULT_RECORDS,
          Math.ceil(BIG_VAULT_RECORDS * 0.08),
        );
        const bar = page.getByRole('progressbar', { name: 'Records scanned' });
        expect(Number(await bar.getAttribute('max'))).toBe(BIG_VAULT_RECORDS);
        expect(Number(await bar.getAttribute('value'))).toBeGreaterThanOrEqual(seen[1]!);
        await shot(page, '04-progress');

        // Cancel, after confirming
        await page.getByRole('button', { name: 'Cancel…' }).click();
        const confirm = page.getByRole('alertdialog', { name: 'Cancel the rotation?' });
        await confirm.getByRole('button', { name: 'Cancel rotation' }).click();
        await page
          .getByRole('heading', { level: 1, name: 'Rotation cancelled' })
          .waitFor({ timeout: 60_000 });
        const [cancelled] = results(bridge.events);
        expect(cancelled?.status).toBe('cancelled');
        expect(cancelled!.scanned).toBeGreaterThan(0);
        expect(cancelled!.scanned).toBeLessThan(BIG_VAULT_RECORDS);
        expect(cancelled!.checkpointPath).not.toBeNull();
        const summary = page.getByTestId('cancelled-summary');
        expect(await summary.locator('[data-stat="rotated"] .stat-value').innerText()).toBe(
          String(cancelled!.rotated),
        );
        await summary.getByText('How to finish').waitFor();
        await shot(page, '05-cancelled');

        // Resume: the passwords are asked again, the settings are kept
        await summary.getByRole('button', { name: 'Resume…' }).click();
        const resumeDialog = page.getByRole('dialog', { name: 'Resume interrupted rotation' });
        await resumeDialog.waitFor();
        expect(await page.getByLabel('Current password', { exact: true }).inputValue()).toBe('');
        expect(await page.getByLabel('Argon2id preset').inputValue()).toBe('lightweight');
        await fillPasswords(page, PASSWORD_A, NEW_PASSWORD);
        await resumeDialog.getByRole('button', { name: 'Resume rotation' }).click();
        await reshootWhenAlong(page, '04-progress', 0.45);
        await page.getByTestId('result-title').waitFor({ timeout: 150_000 });
        expect(await page.getByTestId('result-title').innerText()).toBe('Password rotated');
        const finished = results(bridge.events)[1]!;
        expect(finished.status).toBe('completed');
        expect(finished.rotated).toBe(expected.underA);
        expect(finished.skipped).toBe(expected.underB);
        expect(finished.failed).toBe(0);
        expect(await statValue(page, 'rotated')).toBe(expected.underA);
        expect(await statValue(page, 'skipped')).toBe(expected.underB);
        expect(await statValue(page, 'scanned')).toBe(BIG_VAULT_RECORDS);
        if (finished.backupPath) expect(existsSync(finished.backupPath)).toBe(true);
        await shot(page, '06-result');

        // Verify in the UI with the new password (every record)
        await page.getByRole('button', { name: 'Verify with the new password…' }).click();
        const verify = page.getByRole('dialog', { name: 'Verify the vault' });
        await verify.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
        await verify.getByLabel('Records to check').selectOption('200');
        await verify.getByRole('button', { name: 'Verify', exact: true }).click();
        const verdict = verify.getByTestId('verify-summary');
        await verdict.waitFor({ timeout: 90_000 });
        const [opened, checked] = (
          /^([\d,]+) of ([\d,]+) checked records opened$/.exec(await verdict.innerText()) ?? []
        )
          .slice(1)
          .map(count);
        // Every record but B's opens (B's are never soft-deleted, so they are checked either way).
        expect(checked).toBeGreaterThanOrEqual(BIG_VAULT_RECORDS - expected.softDeleted);
        expect(opened).toBe(checked! - expected.underB);
        expect(await verify.getByLabel('New password', { exact: true }).inputValue()).toBe('');
        // The check ran as a job: its progress reached the page, counts adding up, the last one final.
        const verifyProgress = bridge.events.flatMap((event) =>
          event.type === 'verify-progress' ? [event.progress] : [],
        );
        expect(verifyProgress.length).toBeGreaterThan(1);
        for (const step of verifyProgress)
          expect(step.opened + step.notOpened + step.malformed).toBe(step.checked);
        expect(verifyProgress.at(-1)).toMatchObject({ phase: 'done', checked, opened });
        expect(await verify.getByTestId('check-progress').count()).toBe(0);
        await shot(page, '07-verify');
        await page.keyboard.press('Escape');
        await verify.waitFor({ state: 'detached' });

        // Export a report: made in the page, without secrets
        await page.getByRole('button', { name: 'Export JSON' }).click();
        await page.getByText(/^Report saved to/).waitFor();
        const reportPath = (await page.locator('.saved-note .path-inline').innerText()).trim();
        const report = readFileSync(reportPath, 'utf8');
        expect(JSON.parse(report).result).toMatchObject({
          status: 'completed',
          rotated: expected.underA,
        });
        for (const secret of [PASSWORD_A, PASSWORD_B, NEW_PASSWORD])
          expect(report).not.toContain(secret);

        // Dark theme
        await page.emulateMedia({ colorScheme: 'dark' });
        await shot(page, '08-result-dark');
        await page.getByRole('button', { name: 'Back to vault' }).click();
        await page.getByRole('heading', { level: 1, name: 'customers.db' }).waitFor();
        await shot(page, '09-vault-dark');
        await page.getByRole('button', { name: 'Rotate password…' }).click();
        await fillPasswords(page, PASSWORD_A, NEW_PASSWORD);
        await shot(page, '10-rotate-dialog-dark');
        await page.keyboard.press('Escape');
        await page.emulateMedia({ colorScheme: 'light' });

        expect(session.problems).toEqual([]);
      } catch (error) {
        await shot(page, 'failure-big-vault');
        throw error;
      } finally {
        await session.close();
      }

      // Independently of the app: read the file back.
      const rows = readRows(bigPath, vault.table);
      expect(rows.size).toBe(vault.records.length);
      for (const record of vault.records) {
        const value = rows.get(record.id)!.vault_value;
        if (record.password === PASSWORD_B) expect(value).toBe(record.value);
        else expect(value.startsWith('v2:') && value !== record.value).toBe(true);
      }
      // Decrypting costs ~80 ms a record: check a spread of A's (v1, soft-deleted, expired among them).
      const sampleOfA = vault.records
        .filter((record) => record.password === PASSWORD_A)
        .filter(
          (record, index) => index % 12 === 0 || record.version === 'v1' || record.softDeleted,
        );
      for (const record of sampleOfA.slice(0, 16)) {
        const value = rows.get(record.id)!.vault_value;
        const withNew = await openStoredValue(value, NEW_PASSWORD, LIGHTWEIGHT);
        expect(withNew.ok && withNew.plaintext.equals(record.plaintext!)).toBe(true);
        expect((await openStoredValue(value, PASSWORD_A, LIGHTWEIGHT)).ok).toBe(false);
      }
      if (!vsrefPath) {
        console.warn(`[skip] ${vsrefSkipReason}`);
        return;
      }
      for (const record of sampleOfA.slice(0, 4)) {
        const value = rows.get(record.id)!.vault_value;
        const decoded = await runVsref([
          'decode',
          '-config',
          'lightweight',
          '-password',
          NEW_PASSWORD,
          value,
        ]);
        expect(decoded.code).toBe(0);
        expect(decoded.stdout).toBe(`${record.plaintext!.toString('utf8')}\n`);
      }
      // Two pre-flight checks (one that opens nothing and tries the presets) before the rotation.
    }, 300_000);

    it('rotates a copy of tiny200.db with the tiny preset, checked afterwards by vsref', async () => {
      const dir = join(suite.folder, 'tiny');
      mkdirSync(dir);
      const path = copyFixture('tiny200', dir);
      const manifest = readManifest('tiny200');
      const oldPassword = manifest.spec_entries[0]!.password;
      const records = Object.entries(manifest.records);
      const underOld = records.filter(([, record]) => record.password === oldPassword);
      const session = await startSession({ pick: path, workers: 1 });
      const { page } = session;
      try {
        await page.getByRole('button', { name: 'Open vault…' }).click();
        await page.getByRole('heading', { level: 1, name: 'tiny200.db' }).waitFor();
        expect(await statValue(page, 'records')).toBe(manifest.n);
        expect(await statValue(page, 'soft-deleted')).toBe(manifest.soft_deleted);
        expect(await statValue(page, 'expired')).toBe(manifest.expired);

        await page.getByRole('button', { name: 'Rotate password…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Rotate password' });
        await fillPasswords(page, oldPassword, NEW_PASSWORD);
        // "Tiny" is only offered as a way to fill Custom t/m/p: nobody should pick it by accident.
        expect(await dialog.getByRole('button', { name: 'Tiny (tests only)' }).count()).toBe(0);
        await page.getByLabel('Argon2id preset').selectOption('custom');
        await dialog.getByRole('button', { name: 'Tiny (tests only)' }).click();
        expect(await page.getByLabel('Memory (m)').inputValue()).toBe(
          String(ARGON2_PRESETS.tiny.memoryKiB),
        );
        // Enter in a field submits the form
        await page.getByLabel('Confirm new password', { exact: true }).press('Enter');
        await page.getByTestId('result-title').waitFor({ timeout: 60_000 });
        expect(await page.getByTestId('result-title').innerText()).toBe('Password rotated');
        expect(await statValue(page, 'rotated')).toBe(underOld.length);
        expect(await statValue(page, 'skipped')).toBe(manifest.n - underOld.length);

        await page.getByRole('button', { name: 'Verify with the new password…' }).click();
        const verify = page.getByRole('dialog', { name: 'Verify the vault' });
        expect(await verify.getByLabel('Memory (m)').inputValue()).toBe('64');
        await verify.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
        await verify.getByLabel('Records to check').selectOption('all');
        await verify.getByLabel('New password', { exact: true }).press('Enter');
        const verdict = verify.getByTestId('verify-summary');
        await verdict.waitFor({ timeout: 60_000 });
        const [opened, checked] = (
          /^([\d,]+) of ([\d,]+) checked records opened$/.exec(await verdict.innerText()) ?? []
        )
          .slice(1)
          .map(count);
        const softDeletedOld = underOld.filter(([, record]) => record.soft_deleted).length;
        expect([manifest.n, manifest.n - manifest.soft_deleted]).toContain(checked);
        expect(opened).toBe(
          checked === manifest.n ? underOld.length : underOld.length - softDeletedOld,
        );
        expect(session.problems).toEqual([]);
      } catch (error) {
        await shot(page, 'failure-tiny200');
        throw error;
      } finally {
        await session.close();
      }

      // Independently of the app: every record, against the manifest.
      const rows = readRows(path, manifest.table);
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
      if (!vsrefPath) {
        console.warn(`[skip] ${vsrefSkipReason}`);
        return;
      }
      const verdict = await runVsref([
        'verify',
        '-db',
        path,
        '-manifest',
        `${path}.manifest.json`,
        '-config',
        'tiny',
        '-expect',
        `${oldPassword}=>${NEW_PASSWORD}`,
        '-softdeleted',
        'rotated',
      ]);
      expect(verdict.stdout + verdict.stderr).toMatch(/verify: PASS/);
      expect(verdict.code).toBe(0);
    });
  },
);
