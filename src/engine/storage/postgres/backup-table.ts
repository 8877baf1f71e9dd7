/**
 * --backup-table on PostgreSQL: a copy of the vault table beside it, in its
 * schema, created, filled and marked complete in one transaction.
 */
import { EngineError } from '../../errors.js';
import { quoteIdentifier } from '../common/vault-table.js';
import { completeBackupComment } from '../server/backup-table-marker.js';
import type { PgRun, TableSql } from './sql.js';

export async function backupToTable(
  connection: { readonly run: PgRun; readonly rollback: () => Promise<void> },
  sql: TableSql,
  newTable: string,
  tag: string,
  display: string,
): Promise<void> {
  const { run } = connection;
  const source = sql.quoted;
  // Beside the vault table, in its schema.
  const target = `${quoteIdentifier(sql.schema)}.${quoteIdentifier(newTable)}`;
  const [existing] = await run<{ comment: string | null }>('backing up', {
    text: `SELECT obj_description(c.oid, 'pg_class') AS comment FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    values: [sql.schema, newTable],
  });
  // This rotation's complete backup, made by a run stopped before it recorded it: kept.
  if (existing?.comment === completeBackupComment(tag)) return;
  // One transaction: the new table appears with every row and its mark, or not at all.
  await run('backing up', { text: 'BEGIN ISOLATION LEVEL REPEATABLE READ', values: [] });
  try {
    await run('backing up', {
      text: `CREATE TABLE ${target} (LIKE ${source} INCLUDING ALL)`,
      values: [],
    });
    await run('backing up', {
      text: `INSERT INTO ${target} SELECT * FROM ${source}`,
      values: [],
    });
    // COMMENT takes no parameter: the mark is made of hex digits and words only.
    await run('backing up', {
      text: `COMMENT ON TABLE ${target} IS '${completeBackupComment(tag)}'`,
      values: [],
    });
    await run('backing up', { text: 'COMMIT', values: [] });
  } catch (error) {
    await connection.rollback();
    throw backupTableError(error, newTable, display);
  }
}

/** A backup table that already exists is the user's to rename, never ours to replace. */
function backupTableError(error: unknown, newTable: string, display: string): unknown {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  if (cause?.code === '42P07') {
    return new EngineError(
      'USAGE',
      `The backup table ${JSON.stringify(newTable)} already exists in ${display}: nothing was written. ` +
        'Choose another name for --backup-table, or drop that table if it is an old backup you no longer need.',
    );
  }
  return error;
}
