/**
 * The app for everyone, in Chromium bridged to the real engine (like
 * chromium.test.ts):
 *
 * - axe-core (WCAG 2.0/2.1 A and AA) on every screen and dialog, in the light
 *   and the dark theme: zero violations.
 * - The rotate dialog in a small window: 800x600, and 200 % zoom of it. Zoom
 *   is emulated as what it is to the page: Chromium at 200 % lays an 800x600
 *   window out as a 400x300 CSS px viewport with two device pixels per CSS px
 *   (media queries, vh and rem all see 400x300). Playwright has no browser
 *   zoom; `deviceScaleFactor` alone changes only the pixel density (the
 *   layout stays 800 px wide) and CSS `zoom` on <html> leaves media queries
 *   and vh at 800x600, so neither would show what a zoomed user sees. The
 *   Argon2id preset must be in view without scrolling, nothing clipped.
 * - A larger base font (the reader's setting) scales the app: sizes are rem.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { copyFixture, readManifest } from '../test/support/fixtures.js';
import { axeViolations } from './support/axe.js';
import { browserSuite, fillPasswords, shot } from './support/browser-session.js';
import { chromiumSkipReason } from './support/chromium.js';
import { buildBigVault, NEW_PASSWORD, PASSWORD_A } from './support/test-vaults.js';

/*
 * Page-side checks, as source text: this project's Node tsconfig has no DOM
 * types, and Playwright runs a string that is a function with the element.
 */

/** The element's box lies inside the viewport and inside every scrolling ancestor's visible area. */
const IN_VIEW = `(element) => {
  const box = element.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return 'has no size';
  if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth)
    return 'is outside the ' + innerWidth + 'x' + innerHeight + ' viewport ' + JSON.stringify(box);
  for (let parent = element.parentElement; parent; parent = parent.parentElement) {
    const style = getComputedStyle(parent);
    if (!/(auto|scroll|hidden|clip)/.test(style.overflowX + style.overflowY)) continue;
    const area = parent.getBoundingClientRect();
    if (box.top < area.top - 0.5 || box.bottom > area.bottom + 0.5)
      return 'is cut off by .' + parent.className + ' (scrolled ' + parent.scrollTop + ' px)';
    if (box.left < area.left - 0.5 || box.right > area.right + 0.5)
      return 'is cut off sideways by .' + parent.className;
  }
  return null;
}`;

/** Every control of the dialog within its width, and no box in it scrolling sideways. */
const CLIPPED = `(root) => {
  const problems = [];
  const frame = root.getBoundingClientRect();
  for (const control of root.querySelectorAll('input, select, button, summary')) {
    const box = control.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5)
      problems.push((control.id || control.textContent.trim() || control.tagName) + ' sticks out');
  }
  // A select shows its chosen option's text: it must fit beside the arrow (about 20 px).
  const context = document.createElement('canvas').getContext('2d');
  for (const select of root.querySelectorAll('select')) {
    const style = getComputedStyle(select);
    context.font = style.font;
    const text = context.measureText(select.selectedOptions[0]?.text ?? '').width;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    if (text > room) problems.push((select.id || 'a select') + ' cuts its text (' + Math.round(text) + ' px in ' + Math.round(room) + ')');
  }
  for (const element of [root, ...root.querySelectorAll('*')]) {
    if (element.closest('.visually-hidden')) continue; // clipped on purpose: for screen readers
    if (element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1
        && getComputedStyle(element).overflowX !== 'visible')
      problems.push((element.className || element.tagName) + ' scrolls sideways');
  }
  return problems;
}`;

/** Runs one of the functions above on the locator's element (Playwright sends a function's source). */
function onElement<T>(locator: Locator, source: string): Promise<T> {
  const run = new Function('element', `return (${source})(element);`);
  return locator.evaluate(run as never) as Promise<T>;
}

const fullyInView = (locator: Locator): Promise<string | null> => onElement(locator, IN_VIEW);
const clippedInDialog = (dialog: Locator): Promise<string[]> => onElement(dialog, CLIPPED);

/** The root, body and first button's sizes in px: they must follow the root font size. */
const SIZES = `(heading) => {
  const button = document.querySelector('.button');
  return [
    parseFloat(getComputedStyle(heading).fontSize),
    parseFloat(getComputedStyle(document.body).fontSize),
    parseFloat(getComputedStyle(button).paddingLeft),
  ];
}`;

describe.skipIf(chromiumSkipReason !== null)('the app for everyone (axe, small windows)', () => {
  const suite = browserSuite('vsa-e2e-a11y-');
  const startSession = suite.start;

  it('has no WCAG 2.1 AA violation on any screen, in either theme', async () => {
    const dir = join(suite.folder, 'axe');
    mkdirSync(dir);
    const bigPath = join(dir, 'customers.db');
    await buildBigVault(bigPath);
    const tinyPath = copyFixture('tiny200', dir);
    const notAVault = join(dir, 'notes.txt');
    writeFileSync(notAVault, 'not a database\n');
    let pick = bigPath;
    // One worker: the lightweight rotation of 160 records lasts long enough to look at its progress.
    const session = await startSession({ pick: () => pick, workers: 1, recent: [tinyPath] });
    const { page } = session;
    const found: string[] = [];
    const check = async (screen: string): Promise<void> => {
      found.push(...(await axeViolations(page, screen)));
    };
    try {
      await page.getByRole('button', { name: /tiny200\.db/ }).waitFor();
      await check('start');

      pick = notAVault;
      await page.getByRole('button', { name: 'Open vault…' }).click();
      await page.getByRole('alert').waitFor();
      await check('start with an error');
      await page.getByRole('button', { name: 'Dismiss' }).click();

      await page.getByRole('button', { name: 'Connect to a database…' }).click();
      await page.getByRole('dialog', { name: 'Connect to a database' }).waitFor();
      await check('connect dialog');
      await page.keyboard.press('Escape');

      pick = bigPath;
      await page.getByRole('button', { name: 'Open vault…' }).click();
      await page.getByRole('heading', { level: 1, name: 'customers.db' }).waitFor();
      await check('vault');

      await page.getByRole('button', { name: 'Rotate password…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate password' });
      await dialog.waitFor();
      await check('rotate dialog, empty');
      await fillPasswords(page, PASSWORD_A, NEW_PASSWORD);
      await page.getByLabel('Argon2id preset').selectOption('custom');
      await dialog.getByText(/^Rules the vault also requires \(/).click();
      await check('rotate dialog, custom settings and password rules');
      await page.getByLabel('Argon2id preset').selectOption('lightweight');
      // Start with a wrong current password: its own check refuses, the dialog says why.
      await page.getByLabel('Current password', { exact: true }).fill('Not-the-password-000000');
      await dialog.getByRole('button', { name: 'Start rotation' }).click();
      await dialog.getByRole('button', { name: 'Rotate anyway…' }).waitFor({ timeout: 120_000 });
      await check('rotate dialog, Start refused by its check');
      await page.getByLabel('Current password', { exact: true }).fill(PASSWORD_A);
      await dialog.getByRole('button', { name: 'Check password' }).click();
      await dialog.getByText(/^\d+ of \d+ sampled records opened$/).waitFor({ timeout: 60_000 });
      await check('rotate dialog, pre-flight passed');

      await dialog.getByRole('button', { name: 'Start rotation' }).click();
      await page.getByRole('heading', { level: 1, name: 'Rotating password' }).waitFor();
      await page.getByRole('button', { name: 'Cancel…' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Cancel the rotation?' });
      await confirm.waitFor();
      await check('progress, cancel confirmation');
      await confirm.getByRole('button', { name: 'Keep rotating' }).click();
      await check('progress');
      await page.getByRole('button', { name: 'Cancel…' }).click();
      await confirm.getByRole('button', { name: 'Cancel rotation' }).click();
      await page.getByTestId('cancelled-summary').waitFor({ timeout: 60_000 });
      await check('cancelled');
      await page.getByRole('button', { name: 'Back to vault' }).click();
      await page.getByRole('button', { name: 'Close vault' }).click();

      // A finished rotation: tiny200 with the tiny preset is quick.
      const manifest = readManifest('tiny200');
      await page.getByRole('button', { name: /tiny200\.db/ }).click();
      await page.getByRole('heading', { level: 1, name: 'tiny200.db' }).waitFor();
      await page.getByRole('button', { name: 'Rotate password…' }).click();
      await fillPasswords(page, manifest.spec_entries[0]!.password, NEW_PASSWORD);
      await page.getByLabel('Argon2id preset').selectOption('custom');
      await page.getByRole('button', { name: 'Tiny (tests only)' }).click();
      await page.getByLabel('Confirm new password', { exact: true }).press('Enter');
      await page.getByTestId('result-title').waitFor({ timeout: 60_000 });
      await check('result');

      await page.getByRole('button', { name: 'Verify with the new password…' }).click();
      const verify = page.getByRole('dialog', { name: 'Verify the vault' });
      await verify.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await verify.getByRole('button', { name: 'Verify', exact: true }).click();
      await verify.getByTestId('verify-summary').waitFor({ timeout: 60_000 });
      await check('verify dialog, answered');
      await page.keyboard.press('Escape');

      // Rotation history: main's audit log, read back through the bridge
      await page.getByRole('button', { name: 'Back to vault' }).click();
      await page.getByRole('button', { name: 'Close vault' }).click();
      await page.getByRole('button', { name: 'Rotation history…' }).click();
      const history = page.getByRole('dialog', { name: 'Rotation history' });
      const rows = history.getByTestId('audit-log').locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.allInnerTexts()).toEqual([
        expect.stringMatching(/^.+\ttiny200\.db\tvault\tCompleted\t[\d,]+\t[\d,]+\t0$/),
        expect.stringMatching(/^.+\tcustomers\.db\tvault\tCancelled\t[\d,]+\t[\d,]+\t0$/),
      ]);
      await check('rotation history');
      await shot(page, 'rotation-history');
      await page.keyboard.press('Escape');

      expect(found).toEqual([]);
      expect(session.problems).toEqual([]);
    } catch (error) {
      await shot(page, 'failure-a11y');
      throw error;
    } finally {
      await session.close();
    }
  });

  for (const window of [
    { name: '800x600', viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 },
    // 200 % zoom of an 800x600 window (see the top of this file)
    { name: '200 % zoom', viewport: { width: 400, height: 300 }, deviceScaleFactor: 2 },
  ]) {
    it(`shows the Argon2id preset without scrolling and clips nothing at ${window.name}`, async () => {
      const dir = join(suite.folder, `small-${window.viewport.width}`);
      mkdirSync(dir);
      const path = copyFixture('tiny200', dir);
      const session = await startSession({
        pick: path,
        workers: 1,
        context: { viewport: window.viewport, deviceScaleFactor: window.deviceScaleFactor },
      });
      const { page } = session;
      try {
        await page.getByRole('button', { name: 'Open vault…' }).click();
        await page.getByRole('heading', { level: 1, name: 'tiny200.db' }).waitFor();
        await page.getByRole('button', { name: 'Rotate password…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Rotate password' });
        await dialog.waitFor();
        const preset = page.getByLabel('Argon2id preset');
        // Focus is in the current password field, and the dialog did not scroll away from the preset.
        await expect
          .poll(() => page.evaluate('document.activeElement && document.activeElement.type'))
          .toBe('password');
        expect(await fullyInView(preset)).toBeNull();
        expect(await clippedInDialog(dialog)).toEqual([]);

        // Custom settings: the key-length select and its neighbours stay whole.
        await preset.selectOption('custom');
        expect(await fullyInView(preset)).toBeNull();
        expect(await clippedInDialog(dialog)).toEqual([]);
        // Opening the folded password rules (clicking scrolls to them) clips nothing either.
        await dialog.getByText(/^Rules the vault also requires \(/).click();
        expect(await clippedInDialog(dialog)).toEqual([]);
        const keyLength = page.getByLabel('Key length (k)');
        await keyLength.scrollIntoViewIfNeeded();
        expect(await fullyInView(keyLength)).toBeNull();
        await shot(page, `rotate-dialog-${window.name.replace(/\W+/g, '-')}`);
        expect(session.problems).toEqual([]);
      } catch (error) {
        await shot(page, `failure-small-${window.name.replace(/\W+/g, '-')}`);
        throw error;
      } finally {
        await session.close();
      }
    });
  }

  it('scales with the reader’s base font size (rem, not px)', async () => {
    const session = await startSession({ pick: null, workers: 1 });
    const { page } = session;
    try {
      const heading = page.getByRole('heading', { level: 1 });
      await heading.waitFor();
      const sizes = (): Promise<number[]> => onElement(heading, SIZES);
      const normal = await sizes();
      // What a larger default font in the browser or OS settings does: a larger root font size.
      await page.evaluate("document.documentElement.style.fontSize = '32px'");
      const larger = await sizes();
      for (const [index, size] of normal.entries()) expect(larger[index]).toBeCloseTo(size * 2, 1);
    } finally {
      await session.close();
    }
  });
});
