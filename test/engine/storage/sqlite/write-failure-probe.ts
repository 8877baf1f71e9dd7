/**
 * Run in a child process (as an unprivileged user) by the SQLite store suite (sqlite-store.test.ts):
 * the vault's folder becomes read-only after opening, so the next batch cannot
 * be written; the store must report it, keep its previous view, and work again
 * once the folder is writable. Prints the outcome as JSON.
 * Usage: node --import tsx write-failure-probe.ts <vault> <driver>
 */
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { isEngineError } from '../../../../src/engine/errors.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { FileDriverName } from '../../../../src/engine/storage/index.js';

const [path, driver] = process.argv.slice(2) as [string, FileDriverName];
const store = await openVault(path, { driver });
try {
  const [record] = await store.readRecords('vault', { limit: 1 });
  if (!record) throw new Error('empty vault');
  chmodSync(dirname(path), 0o555);
  let failure: { code: string; message: string } | null = null;
  try {
    await store.writeBatch(
      'vault',
      [{ key: record.key, expectedValue: record.value, newValue: 'v2:lost' }],
      '2030-01-01 00:00:00',
    );
  } catch (error) {
    if (!isEngineError(error)) throw error;
    failure = { code: error.code, message: error.message };
  }
  const valueAfterFailure =
    (await store.readRecords('vault', { limit: 1 }))[0]?.value === record.value;
  chmodSync(dirname(path), 0o755);
  const retry = await store.writeBatch(
    'vault',
    [{ key: record.key, expectedValue: record.value, newValue: 'v2:kept' }],
    '2030-01-01 00:00:00',
  );
  console.log(JSON.stringify({ failure, valueAfterFailure, retry }));
} finally {
  await store.close();
}
