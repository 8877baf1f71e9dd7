/** The "Connect to a database" dialog filled for a test database, as a person fills it. */
import type { Page } from 'playwright-core';
import type { TestDatabase } from '../../test/support/servers/index.js';

/** Fills the open dialog (TLS off: the test server is on this machine). */
export async function fillConnectForm(page: Page, db: TestDatabase): Promise<void> {
  await page.getByLabel('Host', { exact: true }).fill(db.host);
  await page.getByLabel('Port', { exact: true }).fill(String(db.port));
  await page.getByLabel('Database', { exact: true }).fill(db.database);
  await page.getByLabel('User', { exact: true }).fill(db.user);
  await page.getByLabel('TLS', { exact: true }).selectOption('disable');
  await page.getByLabel('Database password', { exact: true }).fill(db.password);
}

/** Opens the dialog, fills it and connects: the vault screen of the database's table. */
export async function connectToDatabase(page: Page, db: TestDatabase): Promise<void> {
  await page.getByRole('button', { name: 'Connect to a database…' }).click();
  await page.getByRole('dialog', { name: 'Connect to a database' }).waitFor();
  await fillConnectForm(page, db);
  await page
    .getByRole('dialog', { name: 'Connect to a database' })
    .getByRole('button', { name: 'Connect', exact: true })
    .click();
  await page
    .getByRole('heading', { level: 1, name: `${db.database} on ${db.host}` })
    .waitFor({ timeout: 60_000 });
}
