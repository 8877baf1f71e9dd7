/**
 * Copies of the old values that MySQL/MariaDB would make on its own while a
 * rotation rewrites them, found before anything is written. Triggers are the
 * rotation's business (refused unless allowed, then read back); these are
 * not triggers, no read-back can see them, so they are always refused:
 * - a system-versioned table (MariaDB `WITH SYSTEM VERSIONING`) keeps each
 *   row's previous version, so every rotated record's old-password value
 *   would stay in the table's history;
 * - a foreign key whose parent column is vault_value cascades each new
 *   value into another table (or blocks the update), where this tool cannot
 *   see what is kept.
 * - a table kept by another server (FEDERATED, CONNECT, SPIDER): its
 *   triggers and versioning are that server's, out of sight.
 * Partitioned tables need nothing more: their triggers are the table's own
 * (information_schema.TRIGGERS lists them), partitions have none.
 * And the guard itself needs transactions: without them (MyISAM, Aria,
 * MEMORY…) FOR UPDATE holds no row, so another program's write between the
 * check and the update would be overwritten, and a batch is not
 * all-or-nothing.
 */
import { EngineError } from '../../errors.js';
import { mysqlText } from './backup.js';
import type { MysqlSession } from './session.js';
import { TABLE_TYPE_SQL, VALUE_REFERENCES_SQL, quoteMysqlIdentifier } from './sql.js';

/** Engines whose rows another server (or outside files) keeps. */
const REMOTE_ENGINES = new Set(['FEDERATED', 'FEDERATEDX', 'CONNECT', 'SPIDER']);

export async function assertSafeToRewrite(
  session: MysqlSession,
  display: string,
  table: string,
): Promise<void> {
  const row = (await session.query(TABLE_TYPE_SQL, [table], 'reading'))[0] ?? {};
  if (mysqlText(row.table_type) === 'SYSTEM VERSIONED') throw systemVersionedError(display, table);
  const engine = mysqlText(row.engine);
  if (REMOTE_ENGINES.has(engine.toUpperCase())) {
    throw new EngineError(
      'TRIGGERS',
      `The table ${JSON.stringify(table)} in ${display} uses the ${engine} engine: its rows are kept by another ` +
        'server (or in outside files), whose triggers, versioning and logs this tool cannot see, so it cannot ' +
        'tell whether rotating would leave the old-password values there. Nothing was changed. Rotate the ' +
        'table where it is kept, then run the rotation again.',
    );
  }
  if (mysqlText(row.transactions) !== 'YES') {
    throw new EngineError(
      'UNSUPPORTED_IDS',
      `The table ${JSON.stringify(table)} in ${display} uses the ${engine} engine, which has no transactions: ` +
        'a record cannot be held locked from the check that it still holds the value read until it is ' +
        "written, so another program's write in between would be lost, and a batch would not be " +
        `all-or-nothing. Nothing was changed. Convert it (ALTER TABLE ${quoteMysqlIdentifier(table)} ` +
        'ENGINE=InnoDB), then run the rotation again.',
    );
  }
  const references = await session.query(VALUE_REFERENCES_SQL, [table], 'reading');
  if (references.length > 0) {
    const names = references.map(
      (row) =>
        `${mysqlText(row.constraint_name)} of ${mysqlText(row.table_schema)}.${mysqlText(row.table_name)}`,
    );
    throw new EngineError(
      'TRIGGERS',
      `The column vault_value of the table ${JSON.stringify(table)} in ${display} is referenced by the foreign ` +
        `key(s) ${names.join(', ')}: each value the rotation rewrites would be cascaded into (or refused by) ` +
        'that table, where this tool cannot see which old-password values are kept. Nothing was changed, and ' +
        '--allow-triggers does not change this. Drop that foreign key (a vault value is not a key to refer ' +
        'to), then run the rotation again.',
    );
  }
}

function systemVersionedError(display: string, table: string): EngineError {
  const name = quoteMysqlIdentifier(table);
  return new EngineError(
    'TRIGGERS',
    `The table ${JSON.stringify(table)} in ${display} is system-versioned (WITH SYSTEM VERSIONING): MariaDB ` +
      "keeps the previous version of every row it updates, so after a rotation each record's old-password " +
      `value would still be in the table's history (SELECT ... FROM ${name} FOR SYSTEM_TIME ALL), readable by ` +
      'anyone who has the old password. Nothing was changed, and --allow-triggers does not change this. The ' +
      'history already holds the values of earlier versions: to rotate, remove it with ALTER TABLE ' +
      `${name} DROP SYSTEM VERSIONING (after keeping a copy if you must, which then holds old-password values ` +
      `too), run the rotation, and add versioning back with ALTER TABLE ${name} ADD SYSTEM VERSIONING if your ` +
      'application needs it.',
  );
}
