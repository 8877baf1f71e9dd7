/**
 * A live application using the vault while a rotation runs: a separate
 * process with its own better-sqlite3 connection. It reads one JSON command
 * per stdin line, runs it in one IMMEDIATE transaction that it holds for
 * `holdMs` (the application doing work under its write lock), commits, and
 * answers one JSON line on stdout once the change is durable. "lock" takes the
 * write lock and keeps it until "release": the test decides when, never a timer,
 * so a loaded machine cannot make the lock end before the rotation reaches it.
 *
 * Usage: node --import tsx live-app-child.ts <vault> <table>
 */
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

export type LiveCommand =
  | {
      readonly op: 'update';
      readonly changes: readonly { id: string; value: string }[];
      readonly holdMs: number;
    }
  | {
      readonly op: 'insert';
      readonly rows: readonly { id: string; token: string; value: string }[];
      readonly holdMs: number;
    }
  | { readonly op: 'delete'; readonly ids: readonly string[]; readonly holdMs: number }
  /** takes the write lock, says "locked", and holds it until "release" */
  | { readonly op: 'lock' }
  /** commits the transaction "lock" opened */
  | { readonly op: 'release' }
  | { readonly op: 'exit' };

export type LiveReply =
  | { readonly op: string; readonly ok: true; readonly changed: number }
  | { readonly op: 'locked' }
  | { readonly op: string; readonly ok: false; readonly error: string };

const [path, table] = process.argv.slice(2);
if (!path || !table) throw new Error('usage: live-app-child.ts <vault> <table>');

// The application's own busy timeout: it waits for the rotation's batches like any SQLite client.
const db = new Database(path, { fileMustExist: true, timeout: 20_000 });
const quoted = `"${table.replace(/"/g, '""')}"`;
const NOW = '2026-06-01 12:00:00';
const NEVER = '9999-12-31 23:59:59';
const update = db.prepare(`UPDATE ${quoted} SET vault_value = ?, updated_at = ? WHERE id = ?`);
const insert = db.prepare(
  `INSERT INTO ${quoted} (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at) ` +
    'VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const remove = db.prepare(`DELETE FROM ${quoted} WHERE id = ?`);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function hold(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

function reply(message: LiveReply): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

type WriteCommand = Exclude<LiveCommand, { op: 'exit' | 'lock' | 'release' }>;

function run(command: WriteCommand): number {
  db.exec('BEGIN IMMEDIATE');
  try {
    let changed = 0;
    if (command.op === 'update') {
      for (const change of command.changes)
        changed += update.run(change.value, NOW, change.id).changes;
    }
    if (command.op === 'insert') {
      for (const row of command.rows) {
        changed += insert.run(row.id, row.token, row.value, NOW, NOW, NEVER, NEVER).changes;
      }
    }
    if (command.op === 'delete') for (const id of command.ids) changed += remove.run(id).changes;
    hold(command.holdMs);
    db.exec('COMMIT');
    return changed;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = JSON.parse(line) as LiveCommand;
  if (command.op === 'exit') {
    lines.close();
    return;
  }
  try {
    if (command.op === 'lock') {
      db.exec('BEGIN IMMEDIATE');
      reply({ op: 'locked' });
    } else if (command.op === 'release') {
      db.exec('COMMIT');
      reply({ op: 'release', ok: true, changed: 0 });
    } else reply({ op: command.op, ok: true, changed: run(command) });
  } catch (error) {
    reply({
      op: command.op,
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
lines.on('close', () => db.close());
