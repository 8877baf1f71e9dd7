/**
 * What makes a table a vault table, for every dialect: its seven columns
 * (whatever their declared types), how a table name is quoted, and the
 * choice of the table asked for with messages naming the vault tables found.
 */
import { EngineError } from '../../errors.js';

/** Columns that make a table a VaultStore records table (whatever its name). */
export const VAULT_COLUMNS = [
  'id',
  'vault_token',
  'vault_value',
  'created_at',
  'updated_at',
  'expires_at',
  'soft_deleted_at',
] as const;

/** SQLite identifier quoting: wrap in double quotes, double any inside. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export interface TableColumns {
  readonly name: string;
  readonly columns: readonly string[];
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

export function quotedNames(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
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
      ? `${place.vaultTablesLabel}: ${quotedNames(vaultTables)}; pick one of them.`
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
