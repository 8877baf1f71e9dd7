/**
 * Creating the ledger's tables (those missing), and the error that says
 * what to do when the login may not create them there.
 */
import { EngineError } from '../../errors.js';
import type { ServerSql } from '../../storage/types.js';
import { createGrantedByShowGrants } from './mysql-grants.js';
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
    throw ledgerPermissionError(schema, display, error);
  }
}

/** What to do when the login may not create the ledger tables there. */
export function ledgerPermissionError(
  schema: string | null,
  display: string,
  cause?: unknown,
): EngineError {
  return new EngineError(
    'LEDGER_PERMISSION',
    `A distributed rotation keeps its ledger (tables ${LEDGER_TABLES.join(', ')}) in ${display}` +
      `${schema === null ? '' : ` (schema ${JSON.stringify(schema)})`}, and this login may not ` +
      'create tables there. Nothing was changed. Grant it CREATE on that schema/database, or name a ' +
      'schema where it may (CLI: --ledger-schema), or rotate on one machine (rotate without --queue).',
    cause === undefined ? undefined : { cause },
  );
}

/** MySQL's GRANTEE spelling of the login: 'user'@'host'. */
const MYSQL_GRANTEE =
  "concat('''', substring_index(current_user(), '@', 1), '''@''', substring_index(current_user(), '@', -1), '''')";

/**
 * Whether this login may create the ledger's tables in `schema` (null: where they would go by
 * default), asked of the catalog: nothing is created. PostgreSQL: CREATE on the schema.
 * MySQL/MariaDB: CREATE granted globally or on a database pattern matching it, to the login
 * (the catalog) or through its roles (SHOW GRANTS: mysql-grants.ts).
 */
export async function mayCreateLedgerTables(
  sql: ServerSql,
  schema: string | null,
): Promise<boolean> {
  if (sql.dialect === 'postgres') {
    const [row] = await sql.query(
      `SELECT coalesce(has_schema_privilege(s.oid, 'CREATE'), false) AS ok
        FROM pg_namespace s WHERE s.nspname = coalesce(?, current_schema())`,
      [schema],
    );
    return row?.ok === true;
  }
  const [row] = await sql.query(
    `SELECT (SELECT count(*) FROM information_schema.USER_PRIVILEGES
        WHERE PRIVILEGE_TYPE = 'CREATE' AND GRANTEE = ${MYSQL_GRANTEE})
      + (SELECT count(*) FROM information_schema.SCHEMA_PRIVILEGES
        WHERE PRIVILEGE_TYPE = 'CREATE' AND GRANTEE = ${MYSQL_GRANTEE}
          AND coalesce(?, DATABASE()) LIKE TABLE_SCHEMA) AS n`,
    [schema],
  );
  return Number(row?.n ?? 0) > 0 || createGrantedByShowGrants(sql, schema);
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
