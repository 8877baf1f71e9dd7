/**
 * One batch of value updates on PostgreSQL: a single guarded UPDATE (a record
 * is written only if it still holds the value read), alone or, with a batch
 * hook, in one transaction with the hook's statements.
 */
import type { BatchHook, ServerSql, ValueUpdate, WriteBatchResult } from '../types.js';
import type { PgRun, TableSql } from './sql.js';

/** What a batch needs of the store's connection. */
export interface PgBatchConnection {
  readonly run: PgRun;
  /** the hook's statements, on the same connection */
  readonly serverSql: () => ServerSql;
  /** ROLLBACK, any error ignored */
  readonly rollback: () => Promise<void>;
}

export async function writeGuardedBatch(
  connection: PgBatchConnection,
  sql: TableSql,
  updates: readonly ValueUpdate[],
  updatedAt: string,
  inTransaction?: BatchHook,
): Promise<WriteBatchResult> {
  const { run } = connection;
  if (updates.length === 0 && !inTransaction) return { written: [], guardFailed: [] };
  const statement = sql.guardedBatch(
    updates.map((update) => update.key),
    updates.map((update) => update.expectedValue),
    updates.map((update) => update.newValue),
    updatedAt,
  );
  // One statement: the whole batch commits or nothing does.
  if (!inTransaction) return batchResult(updates, await run('writing to', statement));
  // With the hook: the updates and its statements in one transaction.
  await run('writing to', { text: 'BEGIN', values: [] });
  try {
    const result = batchResult(
      updates,
      updates.length === 0 ? [] : await run('writing to', statement),
    );
    await inTransaction(connection.serverSql(), result);
    await run('writing to', { text: 'COMMIT', values: [] });
    return result;
  } catch (error) {
    // A lost connection rolls back on the server by itself.
    await connection.rollback();
    throw error;
  }
}

/** Written: the keys the UPDATE returned; the others failed their guard. */
function batchResult(
  updates: readonly ValueUpdate[],
  rows: readonly { key: string }[],
): WriteBatchResult {
  const done = new Set(rows.map((row) => row.key));
  const written: string[] = [];
  const guardFailed: string[] = [];
  for (const update of updates) (done.has(update.key) ? written : guardFailed).push(update.key);
  return { written, guardFailed };
}
