/**
 * CREATE rights that reach a MySQL/MariaDB login through its roles: the
 * catalog (information_schema.*_PRIVILEGES) lists only the login's own
 * grants, so a login whose CREATE comes from its default role would be
 * refused the ledger wrongly. `SHOW GRANTS` lists the login's and its
 * current role's grants, those of roles granted to that role included
 * (MariaDB 10.11; where a server shows fewer, creating the tables still
 * tells a real refusal).
 */
import type { ServerSql } from '../../storage/types.js';

/** One `GRANT ... ON db.table TO ...` line: its privileges and where. */
interface ObjectGrant {
  readonly privileges: readonly string[];
  /** the database pattern as written (null: `*`, every database) */
  readonly database: string | null;
  /** true when granted on every table of it (`db.*`), not one table */
  readonly allTables: boolean;
}

const QUOTED = '`(?:[^`]|``)*`';
const NAME = `(?:\\*|${QUOTED})`;
const OBJECT_GRANT = new RegExp(`^GRANT (.+?) ON (${NAME})\\.(${NAME}) TO `);
const unquote = (name: string): string => name.slice(1, -1).replaceAll('``', '`');

/** What a `SHOW GRANTS` line grants on databases; null for other lines. */
export function objectGrantOf(line: string): ObjectGrant | null {
  const match = OBJECT_GRANT.exec(line);
  if (!match) return null;
  const [, privileges, database, table] = match as unknown as [string, string, string, string];
  return {
    // Column lists ("SELECT (a, b)") never name CREATE: dropped before splitting.
    privileges: privileges
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((privilege) => privilege.trim().toUpperCase()),
    database: database === '*' ? null : unquote(database),
    allTables: table === '*',
  };
}

const grantsCreate = (grant: ObjectGrant): boolean =>
  grant.allTables &&
  grant.privileges.some((privilege) => privilege === 'CREATE' || privilege.startsWith('ALL'));

/** Whether the login or one of its roles holds CREATE on every table of `schema` (null: DATABASE()). */
export async function createGrantedByShowGrants(
  sql: ServerSql,
  schema: string | null,
): Promise<boolean> {
  const rows = await sql.query('SHOW GRANTS');
  const lines = rows.map((row) => String(Object.values(row)[0] ?? ''));
  for (const grant of lines.map(objectGrantOf)) {
    if (!grant || !grantsCreate(grant)) continue;
    if (grant.database === null) return true;
    // The server matches its own grant patterns (`_`, `%`, `\_`).
    const [row] = await sql.query('SELECT coalesce(?, DATABASE()) LIKE ? AS ok', [
      schema,
      grant.database,
    ]);
    if (Number(row?.ok ?? 0) === 1) return true;
  }
  return false;
}
