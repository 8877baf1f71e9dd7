/** Finding vault tables by their columns, whatever their names. */
import { EngineError } from '../errors.js';
import type { SqlConnection } from './connection.js';
import { LIST_TABLES_SQL, TABLE_COLUMNS_SQL, VAULT_COLUMNS } from './sql-text.js';

export interface TableColumns {
  readonly name: string;
  readonly columns: readonly string[];
}

export function readTables(connection: SqlConnection): TableColumns[] {
  return connection.all(LIST_TABLES_SQL).map((row) => {
    const name = String(row.name);
    const columns = connection.all(TABLE_COLUMNS_SQL, [name]).map((column) => String(column.name));
    return { name, columns };
  });
}

/** Vault columns the table lacks (SQLite column names are case-insensitive). */
export function missingVaultColumns(columns: readonly string[]): string[] {
  const present = new Set(columns.map((column) => column.toLowerCase()));
  return VAULT_COLUMNS.filter((column) => !present.has(column));
}

export function findVaultTables(tables: readonly TableColumns[]): string[] {
  return tables
    .filter((table) => missingVaultColumns(table.columns).length === 0)
    .map((t) => t.name);
}

function quoted(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

/** Only tables that hold vault_value are worth naming as near misses. */
function nearMisses(tables: readonly TableColumns[]): string {
  const partial = tables
    .map((table) => ({ table, missing: missingVaultColumns(table.columns) }))
    .filter(({ missing }) => missing.length > 0 && !missing.includes('vault_value'));
  return partial
    .map(
      ({ table, missing }) => ` Table ${JSON.stringify(table.name)} lacks ${missing.join(', ')}.`,
    )
    .join('');
}

export function noVaultTableError(path: string, tables: readonly TableColumns[]): EngineError {
  const found =
    tables.length > 0 ? `Tables found: ${quoted(tables.map((t) => t.name))}.` : 'It has no tables.';
  return new EngineError(
    'NO_VAULT_TABLE',
    `${path} is a SQLite database but holds no VaultStore table (a table with the columns ${VAULT_COLUMNS.join(', ')}). ` +
      `${found}${nearMisses(tables)} Choose the database file your application keeps its vault in.`,
  );
}

/**
 * The table's name as stored in the file (SQLite resolves names
 * case-insensitively), or TABLE_NOT_FOUND / MISSING_COLUMNS.
 */
export function resolveVaultTable(
  path: string,
  tables: readonly TableColumns[],
  requested: string,
): string {
  const table =
    tables.find((t) => t.name === requested) ??
    tables.find((t) => t.name.toLowerCase() === requested.toLowerCase());
  const vaultTables = findVaultTables(tables);
  const choose =
    vaultTables.length > 0
      ? `Vault tables in this file: ${quoted(vaultTables)}; pick one of them.`
      : 'This file has no vault table: choose the file your application keeps its vault in.';
  if (!table) {
    throw new EngineError(
      'TABLE_NOT_FOUND',
      `${path} has no table named ${JSON.stringify(requested)}. ${choose}`,
    );
  }
  const missing = missingVaultColumns(table.columns);
  if (missing.length > 0) {
    throw new EngineError(
      'MISSING_COLUMNS',
      `The table ${JSON.stringify(table.name)} in ${path} is not a VaultStore table: it lacks the column(s) ${missing.join(', ')}. ${choose}`,
    );
  }
  return table.name;
}
