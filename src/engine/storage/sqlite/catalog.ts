/** Finding vault tables by their columns, whatever their names. */
import { EngineError } from '../../errors.js';
import type { SqlConnection } from './connection.js';
import { LIST_TABLES_SQL, TABLE_COLUMNS_SQL, VAULT_COLUMNS } from './sql.js';

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

/** How the messages of pickVaultTable name the place the tables are in. */
export interface TablePlace {
  /** the subject of "… has no table named X": a path, or "The database …" */
  readonly subject: string;
  /** added after the missing table's name, e.g. " in its current schema" */
  readonly suffix?: string;
  /** "Vault tables in this file" */
  readonly vaultTablesLabel: string;
  /** what to do when the place holds no vault table at all */
  readonly noVaultTableHint: string;
}

/**
 * The table asked for (exact name first, else the only case-insensitive
 * match), or TABLE_NOT_FOUND / MISSING_COLUMNS naming the vault tables to
 * pick. Shared by every driver; `missing` lists a table's absent columns.
 */
export function pickVaultTable<Table extends { readonly name: string }>(
  tables: readonly Table[],
  requested: string,
  place: TablePlace,
  missing: (table: Table) => string[],
): Table {
  const insensitive = tables.filter((t) => t.name.toLowerCase() === requested.toLowerCase());
  const table =
    tables.find((t) => t.name === requested) ??
    (insensitive.length === 1 ? insensitive[0] : undefined);
  const vaultTables = tables.filter((t) => missing(t).length === 0).map((t) => t.name);
  const choose =
    vaultTables.length > 0
      ? `${place.vaultTablesLabel}: ${quoted(vaultTables)}; pick one of them.`
      : place.noVaultTableHint;
  if (!table) {
    throw new EngineError(
      'TABLE_NOT_FOUND',
      `${place.subject} has no table named ${JSON.stringify(requested)}${place.suffix ?? ''}. ${choose}`,
    );
  }
  const absent = missing(table);
  if (absent.length > 0) {
    throw new EngineError(
      'MISSING_COLUMNS',
      `The table ${JSON.stringify(table.name)} in ${place.subject.replace(/^The database /, '')} is not a ` +
        `VaultStore table: it lacks the column(s) ${absent.join(', ')}. ${choose}`,
    );
  }
  return table;
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
