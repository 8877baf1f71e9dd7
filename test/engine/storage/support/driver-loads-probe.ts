/**
 * Run in a child process by driver-loading.test.ts: opens one vault (a SQLite
 * file or a connection string) through the engine and prints, as JSON, which
 * storage packages the process loaded. pg and mysql2 are CommonJS, so an
 * import() of them from ESM puts them in require.cache too.
 * Usage: node --import tsx driver-loads-probe.ts <vault.db | connection string>
 */
import { createRequire } from 'node:module';
import { isEngineError } from '../../../../src/engine/errors.js';
import { openVault } from '../../../../src/engine/storage/index.js';

const PACKAGES = ['pg', 'mysql2', 'better-sqlite3', 'sql.js'] as const;

function loadedPackages(): string[] {
  const files = Object.keys(createRequire(import.meta.url).cache);
  return PACKAGES.filter((name) => files.some((file) => file.includes(`/node_modules/${name}/`)));
}

const target = process.argv[2];
if (!target) throw new Error('usage: driver-loads-probe.ts <vault.db | connection string>');
const beforeOpen = loadedPackages();
let opened: true | string;
try {
  const store = await openVault(target, { readOnly: true, serverTimeoutMs: 5000 });
  await store.close();
  opened = true;
} catch (error) {
  if (!isEngineError(error)) throw error;
  opened = error.code;
}
process.stdout.write(`${JSON.stringify({ beforeOpen, afterOpen: loadedPackages(), opened })}\n`);
