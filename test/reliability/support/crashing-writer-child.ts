/**
 * A writer that dies in the middle of a commit, as a killed application (or
 * a killed vaultstore-admin) does: a small page cache forces SQLite to sync
 * the rollback journal and write changed pages into the vault before the
 * transaction ends, then the process SIGKILLs itself. What is left is a
 * torn vault file plus a hot journal, which SQLite rolls back on the next
 * read-write open.
 *
 * Usage: node --import tsx crashing-writer-child.ts <vault> <table>
 */
import Database from 'better-sqlite3';

const [path, table] = process.argv.slice(2);
if (!path || !table) throw new Error('usage: crashing-writer-child.ts <vault> <table>');
const db = new Database(path, { fileMustExist: true });
db.pragma('cache_size = 8');
db.exec('BEGIN IMMEDIATE');
db.prepare(`UPDATE "${table.replace(/"/g, '""')}" SET vault_value = 'torn:' || vault_value`).run();
process.kill(process.pid, 'SIGKILL');
