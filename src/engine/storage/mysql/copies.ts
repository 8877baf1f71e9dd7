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
 * Partitioned tables need nothing more: their triggers are the table's own
 * (information_schema.TRIGGERS lists them), partitions have none.
 */
import { EngineError } from '../../errors.js';
import { mysqlText } from './backup.js';
import type { MysqlSession } from './session.js';
import { TABLE_TYPE_SQL, VALUE_REFERENCES_SQL, quoteMysqlIdentifier } from './sql.js';

export async function assertNoServerCopies(
  session: MysqlSession,
  display: string,
  table: string,
): Promise<void> {
  const type = await session.query(TABLE_TYPE_SQL, [table], 'reading');
  if (mysqlText(type[0]?.table_type) === 'SYSTEM VERSIONED') {
    throw systemVersionedError(display, table);
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
