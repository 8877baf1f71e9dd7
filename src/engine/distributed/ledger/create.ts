/**
 * Creating the ledger's tables (those missing), and the error that says
 * what to do when the login may not create them there.
 */
import { EngineError } from '../../errors.js';
import type { ServerSql } from '../../storage/types.js';
import { LEDGER_TABLES, ledgerDdl, type LedgerNames } from './schema.js';

/** Creates the tables that are missing; LEDGER_PERMISSION when the login may not. */
export async function createLedgerTables(
  sql: ServerSql,
  names: LedgerNames,
  schema: string | null,
  display: string,
): Promise<void> {
  try {
    for (const statement of ledgerDdl(sql.dialect, names)) await sql.query(statement);
  } catch (error) {
    if (!isPermissionError(error)) throw error;
    throw new EngineError(
      'LEDGER_PERMISSION',
      `A distributed rotation keeps its ledger (tables ${LEDGER_TABLES.join(', ')}) in ${display}` +
        `${schema === null ? '' : ` (schema ${JSON.stringify(schema)})`}, and this login may not ` +
        'create tables there. Nothing was changed. Grant it CREATE on that schema/database, or name a ' +
        'schema where it may (CLI: --ledger-schema), or rotate on one machine (rotate without --queue).',
      { cause: error },
    );
  }
}

/** PostgreSQL 42501 / 3F000, MySQL 1044, 1142, 1049: the login may not create (or use) the ledger there. */
function isPermissionError(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errno?: unknown } }).cause;
  return (
    (error as { code?: unknown }).code === 'SERVER_PERMISSION' ||
    cause?.code === '42501' ||
    cause?.code === '3F000' ||
    cause?.errno === 1044 ||
    cause?.errno === 1142 ||
    cause?.errno === 1049
  );
}
