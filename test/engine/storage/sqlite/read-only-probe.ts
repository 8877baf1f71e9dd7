/**
 * Run in a child process (possibly as another user) by the read-only test:
 * opens the vault for writing and read-only, prints what happened as JSON.
 * Usage: node --import tsx read-only-probe.ts <vault> <driver>
 */
import { isEngineError } from '../../../../src/engine/errors.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { FileDriverName } from '../../../../src/engine/storage/index.js';

type Outcome = { opened: true; records?: number } | { code: string; message: string };

async function attempt(path: string, driver: FileDriverName, readOnly: boolean): Promise<Outcome> {
  try {
    const store = await openVault(path, { driver, readOnly });
    try {
      return { opened: true, records: (await store.info()).tables[0]?.records ?? 0 };
    } finally {
      await store.close();
    }
  } catch (error) {
    if (isEngineError(error)) return { code: error.code, message: error.message };
    throw error;
  }
}

const [path, driver] = process.argv.slice(2) as [string, FileDriverName];
const result = {
  uid: process.getuid?.() ?? null,
  write: await attempt(path, driver, false),
  readOnly: await attempt(path, driver, true),
};
console.log(JSON.stringify(result));
