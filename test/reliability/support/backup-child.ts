/**
 * Takes one backup of a vault and exits: the process a test kills halfway.
 *
 * Usage: node --import tsx backup-child.ts <vault> <backup path> <better-sqlite3|sql.js>
 */
import { openVault } from '../../../src/engine/storage/index.js';

const [vault, destination, driver] = process.argv.slice(2);
if (!vault || !destination || (driver !== 'better-sqlite3' && driver !== 'sql.js')) {
  throw new Error('usage: backup-child.ts <vault> <backup path> <better-sqlite3|sql.js>');
}
const store = await openVault(vault, { driver, readOnly: true });
process.stdout.write('opened\n');
await store.backupTo(destination);
await store.close();
process.stdout.write('done\n');
