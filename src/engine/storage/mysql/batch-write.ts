/**
 * One batch of value updates on MySQL/MariaDB: one transaction that locks
 * the records still holding the value read and updates exactly those, in
 * statements small enough for the server's max_allowed_packet.
 */
import { EngineError } from '../../errors.js';
import type { BatchHook, ServerSql, ValueUpdate, WriteBatchResult } from '../types.js';
import { mysqlText } from './backup.js';
import type { MysqlSession } from './session.js';
import { lockUnchangedStatement, multiUpdateStatement } from './sql.js';

/** Bound values per statement of a batch: well under MariaDB's 16 MiB max_allowed_packet. */
export const STATEMENT_MAX_VALUE_BYTES = 4 * 1024 * 1024;

/** Splits a batch so no statement carries more than `maxBytes` of values (at least one update each). */
export function chunkUpdates(updates: readonly ValueUpdate[], maxBytes: number): ValueUpdate[][] {
  const chunks: ValueUpdate[][] = [];
  let current: ValueUpdate[] = [];
  let bytes = 0;
  for (const update of updates) {
    const size =
      Buffer.byteLength(update.expectedValue) +
      Buffer.byteLength(update.newValue) +
      2 * Buffer.byteLength(update.key);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(update);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Where a batch runs: the store's session (inside its exclusive operation) and the hook's SQL on it. */
export interface MysqlBatchTarget {
  readonly session: MysqlSession;
  readonly display: string;
  /** the table's name */
  readonly name: string;
  /** the hook's statements, run directly on the session */
  readonly hookSql: ServerSql;
}

/**
 * One transaction: lock the records still holding the value read, update
 * exactly those; any error rolls the whole batch back.
 */
export async function guardedTransaction(
  target: MysqlBatchTarget,
  updates: readonly ValueUpdate[],
  updatedAt: string,
  inTransaction?: BatchHook,
): Promise<WriteBatchResult> {
  const { session, name } = target;
  const action = 'writing to';
  const written = new Set<string>();
  await session.query('START TRANSACTION', [], action);
  try {
    for (const chunk of chunkUpdates(updates, STATEMENT_MAX_VALUE_BYTES)) {
      const byKey = new Map(chunk.map((update) => [update.key, update]));
      const lock = lockUnchangedStatement(name, chunk);
      const locked = await session.query(lock.sql, lock.params, action);
      // The exact id read (a case- or accent-variant id is another record's business).
      const matching = locked
        .map((row) => byKey.get(mysqlText(row.id)))
        .filter((update): update is ValueUpdate => update !== undefined);
      if (matching.length === 0) continue;
      const statement = multiUpdateStatement(name, matching, updatedAt);
      const found = await session.modify(statement.sql, statement.params, action);
      // What the UPDATE itself matched, never what the lock found: they differ only if ids did not compare exactly.
      if (found !== matching.length) {
        throw unmatchedWrite(target.display, name, found, matching.length);
      }
      for (const update of matching) written.add(update.key);
    }
    const result = {
      written: updates.filter((u) => written.has(u.key)).map((u) => u.key),
      guardFailed: updates.filter((u) => !written.has(u.key)).map((u) => u.key),
    };
    await inTransaction?.(target.hookSql, result);
    await session.query('COMMIT', [], action);
    return result;
  } catch (error) {
    // A dead connection rolls back on the server by itself.
    await session.query('ROLLBACK', [], action).catch(() => undefined);
    throw error;
  }
}

function unmatchedWrite(display: string, name: string, found: number, locked: number): EngineError {
  return new EngineError(
    'INTERNAL',
    `Writing to the table ${JSON.stringify(name)} in ${display}, the update matched ${found} of the ` +
      `${locked} record(s) it had just locked by their ids: the server compared the ids differently from ` +
      'how this tool read them. The batch was rolled back, so nothing of it was written (batches committed ' +
      'before it were checked the same way). Please report this with the table definition (SHOW CREATE ' +
      'TABLE), and do not rotate this table until it is fixed.',
  );
}
