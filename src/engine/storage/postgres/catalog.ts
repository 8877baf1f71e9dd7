/**
 * Vault tables in the connection's current schema, found through pg_catalog
 * by their seven columns whatever the declared types, with what the store
 * needs to know of each: how its datetimes are stored, whether id is the
 * primary key, and whether id's collation compares exactly.
 */
import { EngineError } from '../../errors.js';
import { pickVaultTable } from '../schema.js';
import { VAULT_COLUMNS } from '../sql-text.js';

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
  readonly name: string;
  readonly columns: readonly CatalogColumn[];
}

export const CATALOG_SQL = `SELECT c.relname AS table_name, a.attname AS column_name,
    format_type(a.atttypid, a.atttypmod) AS column_type, t.typname AS type_name,
    coalesce(co.collisdeterministic, true) AS deterministic,
    EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary
      AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum) AS primary_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  ORDER BY c.relname, a.attnum`;

export interface CatalogRow {
  table_name: string;
  column_name: string;
  column_type: string;
  type_name: string;
  deterministic: boolean;
  primary_key: boolean;
}

export function tablesFromRows(rows: readonly CatalogRow[]): CatalogTable[] {
  const tables = new Map<string, CatalogColumn[]>();
  for (const row of rows) {
    let columns = tables.get(row.table_name);
    if (!columns) tables.set(row.table_name, (columns = []));
    columns.push({
      name: row.column_name,
      type: row.column_type,
      typeName: row.type_name,
      deterministic: row.deterministic,
      primaryKey: row.primary_key,
    });
  }
  return [...tables].map(([name, columns]) => ({ name, columns }));
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
      : 'Its current schema has no tables.';
  return new EngineError(
    'NO_VAULT_TABLE',
    `${display} holds no VaultStore table in its current schema (a table with the columns ` +
      `${VAULT_COLUMNS.join(', ')}). ${found} Check the database name, and the user's search_path if the ` +
      'vault lives in another schema.',
  );
}

/** The table named `requested` (exact name, else the one matching it case-insensitively). */
export function resolveTable(
  display: string,
  tables: readonly CatalogTable[],
  requested: string,
): CatalogTable {
  return pickVaultTable(
    tables,
    requested,
    {
      subject: display,
      suffix: ' in its current schema',
      vaultTablesLabel: 'Vault tables there',
      noVaultTableHint:
        'That schema has no vault table: check the database name and the search_path.',
    },
    missingColumns,
  );
}
