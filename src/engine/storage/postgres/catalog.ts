/**
 * Vault tables in the schemas of the connection's search path, found through
 * pg_catalog by their seven columns whatever the declared types, with what
 * the store needs to know of each: how its datetimes are stored, whether id
 * is the primary key, and whether id's collation compares exactly. Tables
 * are named schema.table everywhere: the same name in two schemas of the
 * search path is two tables, and an unqualified name for both is refused.
 */
import { EngineError } from '../../errors.js';
import { pickVaultTable } from '../common/vault-table.js';
import { VAULT_COLUMNS } from '../common/vault-table.js';

/** How a datetime column holds its instant, which decides how it is compared and written. */
export type DateTimeKind = 'timestamptz' | 'timestamp' | 'text';

export interface CatalogColumn {
  readonly name: string;
  /** format_type(): e.g. "character varying(40)", "timestamp with time zone" */
  readonly type: string;
  readonly typeName: string;
  /** false for a nondeterministic collation (equal strings that differ) */
  readonly deterministic: boolean;
  /** the table's primary key is exactly this column */
  readonly primaryKey: boolean;
}

export interface CatalogTable {
  /** schema.table, as people see it and choose it */
  readonly name: string;
  readonly schema: string;
  /** the table's own name in its schema */
  readonly table: string;
  readonly columns: readonly CatalogColumn[];
}

export const CATALOG_SQL = `SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name,
    format_type(a.atttypid, a.atttypmod) AS column_type, t.typname AS type_name,
    coalesce(co.collisdeterministic, true) AS deterministic,
    EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
      AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum) AS primary_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  ORDER BY array_position(current_schemas(false), n.nspname), c.relname, a.attnum`;

export interface CatalogRow {
  schema_name: string;
  table_name: string;
  column_name: string;
  column_type: string;
  type_name: string;
  deterministic: boolean;
  primary_key: boolean;
}

/** How a table is named to people: schema.table. */
export function qualifiedName(schema: string, table: string): string {
  return `${schema}.${table}`;
}

export function tablesFromRows(rows: readonly CatalogRow[]): CatalogTable[] {
  const tables = new Map<string, CatalogTable & { columns: CatalogColumn[] }>();
  for (const row of rows) {
    const name = qualifiedName(row.schema_name, row.table_name);
    let table = tables.get(name);
    if (!table) {
      table = { name, schema: row.schema_name, table: row.table_name, columns: [] };
      tables.set(name, table);
    }
    table.columns.push({
      name: row.column_name,
      type: row.column_type,
      typeName: row.type_name,
      deterministic: row.deterministic,
      primaryKey: row.primary_key,
    });
  }
  return [...tables.values()];
}

/** Vault columns the table lacks (PostgreSQL names are case-sensitive; the library's are lower case). */
export function missingColumns(table: CatalogTable): string[] {
  const present = new Set(table.columns.map((column) => column.name));
  return VAULT_COLUMNS.filter((column) => !present.has(column));
}

export function vaultTableNames(tables: readonly CatalogTable[]): string[] {
  return tables.filter((table) => missingColumns(table).length === 0).map((table) => table.name);
}

export function columnOf(table: CatalogTable, name: string): CatalogColumn {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new EngineError('INTERNAL', `The table ${table.name} has no column ${name}.`);
  return column;
}

export function dateTimeKind(column: CatalogColumn): DateTimeKind {
  if (column.typeName === 'timestamptz') return 'timestamptz';
  if (column.typeName === 'timestamp') return 'timestamp';
  return 'text';
}

function quoted(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

export function noVaultTableError(display: string, tables: readonly CatalogTable[]): EngineError {
  const found =
    tables.length > 0
      ? `Tables found: ${quoted(tables.map((t) => t.name))}.`
      : 'The schemas on its search path have no tables.';
  return new EngineError(
    'NO_VAULT_TABLE',
    `${display} holds no VaultStore table in the schemas of its search path (a table with the columns ` +
      `${VAULT_COLUMNS.join(', ')}). ${found} Check the database name, and the user's search_path if the ` +
      'vault lives in another schema.',
  );
}

/**
 * The table named `requested`: schema.table exactly, else a table name found
 * in one schema of the search path (refused when in several: PostgreSQL
 * would pick the first, maybe not the one meant), else the one matching it
 * case-insensitively.
 */
export function resolveTable(
  display: string,
  tables: readonly CatalogTable[],
  requested: string,
): CatalogTable {
  const exact = tables.find((table) => table.name === requested);
  if (exact) return pickOne(display, tables, exact.name);
  const bare = tables.filter((table) => table.table === requested);
  const sameName =
    bare.length > 0
      ? bare
      : tables.filter((table) => table.table.toLowerCase() === requested.toLowerCase());
  if (sameName.length > 1) {
    throw new EngineError(
      'USAGE',
      `The table name ${JSON.stringify(requested)} is in ${sameName.length} schemas of the search path of ` +
        `${display}: ${quoted(sameName.map((table) => table.name))}. Name the one to work on with its schema ` +
        `(e.g. --table ${sameName[0]!.name}).`,
    );
  }
  return pickOne(display, tables, sameName[0]?.name ?? requested);
}

function pickOne(display: string, tables: readonly CatalogTable[], name: string): CatalogTable {
  return pickVaultTable(
    tables,
    name,
    {
      subject: display,
      suffix: ' in the schemas of its search path',
      vaultTablesLabel: 'Vault tables there',
      noVaultTableHint:
        'Its search path has no vault table: check the database name and the search_path.',
    },
    missingColumns,
  );
}
