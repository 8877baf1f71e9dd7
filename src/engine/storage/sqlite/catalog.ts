/** The vault tables of a SQLite file: its tables and their columns, read from the file. */
import { EngineError } from '../../errors.js';
import {
  VAULT_COLUMNS,
  missingVaultColumns,
  pickVaultTable,
  quotedNames,
} from '../common/vault-table.js';
import type { TableColumns } from '../common/vault-table.js';
import type { SqlConnection } from './connection.js';
import { LIST_TABLES_SQL, TABLE_COLUMNS_SQL } from './sql.js';

export function readTables(connection: SqlConnection): TableColumns[] {
  return connection.all(LIST_TABLES_SQL).map((row) => {
    const name = String(row.name);
    const columns = connection.all(TABLE_COLUMNS_SQL, [name]).map((column) => String(column.name));
    return { name, columns };
  });
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
    tables.length > 0
      ? `Tables found: ${quotedNames(tables.map((t) => t.name))}.`
      : 'It has no tables.';
  return new EngineError(
    'NO_VAULT_TABLE',
    `${path} is a SQLite database but holds no VaultStore table (a table with the columns ${VAULT_COLUMNS.join(', ')}). ` +
      `${found}${nearMisses(tables)} Choose the database file your application keeps its vault in.`,
  );
}

/** The table's name as stored in the file (SQLite resolves names case-insensitively). */
export function resolveVaultTable(
  path: string,
  tables: readonly TableColumns[],
  requested: string,
): string {
  return pickVaultTable(
    tables,
    requested,
    {
      subject: path,
      vaultTablesLabel: 'Vault tables in this file',
      noVaultTableHint:
        'This file has no vault table: choose the file your application keeps its vault in.',
    },
    (table) => missingVaultColumns(table.columns),
  ).name;
}
