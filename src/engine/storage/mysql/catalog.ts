/**
 * Vault tables of a MySQL/MariaDB database, found through
 * information_schema: any base table of the connection's database with the
 * seven vault columns, whatever their declared types.
 */
import { EngineError } from '../../errors.js';
import { missingVaultColumns, pickVaultTable } from '../common/vault-table.js';
import type { TableColumns } from '../common/vault-table.js';
import { VAULT_COLUMNS } from '../common/vault-table.js';
import type { MysqlSession } from './session.js';
import { ID_TYPE_SQL, PRIMARY_KEY_SQL, TABLE_COLUMNS_SQL } from './sql.js';

export async function readMysqlTables(session: MysqlSession): Promise<TableColumns[]> {
  const rows = await session.query(TABLE_COLUMNS_SQL, [], 'reading');
  const byTable = new Map<string, string[]>();
  for (const row of rows) {
    const table = String(row.table_name);
    const columns = byTable.get(table) ?? [];
    columns.push(String(row.column_name));
    byTable.set(table, columns);
  }
  return [...byTable].map(([name, columns]) => ({ name, columns }));
}

export function vaultTablesOf(tables: readonly TableColumns[]): string[] {
  return tables.filter((t) => missingVaultColumns(t.columns).length === 0).map((t) => t.name);
}

function quoted(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

export function noMysqlVaultTableError(
  display: string,
  tables: readonly TableColumns[],
): EngineError {
  const found =
    tables.length > 0 ? `Tables found: ${quoted(tables.map((t) => t.name))}.` : 'It has no tables.';
  return new EngineError(
    'NO_VAULT_TABLE',
    `The database ${display} holds no VaultStore table (a table with the columns ${VAULT_COLUMNS.join(', ')}). ` +
      `${found} Check the database name in the connection string: it must be the one your application keeps ` +
      'its vault in.',
  );
}

/** The table's name as the catalog spells it, or TABLE_NOT_FOUND / MISSING_COLUMNS. */
export function resolveMysqlVaultTable(
  display: string,
  tables: readonly TableColumns[],
  requested: string,
): string {
  return pickVaultTable(
    tables,
    requested,
    {
      subject: `The database ${display}`,
      vaultTablesLabel: 'Vault tables in this database',
      noVaultTableHint:
        'This database has no vault table: check the database name in the connection string.',
    },
    (table) => missingVaultColumns(table.columns),
  ).name;
}

/** Id types whose values page and round-trip as text: character and integer types. */
const PAGEABLE_ID_TYPES = new Set([
  'char',
  'varchar',
  'tinytext',
  'text',
  'mediumtext',
  'longtext',
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'bigint',
]);

/**
 * Records are visited in primary-key order, so `id` must be the whole
 * primary key (unique, never NULL) and hold text (or integers).
 */
export async function assertMysqlPageable(
  session: MysqlSession,
  display: string,
  table: string,
): Promise<void> {
  const key = (await session.query(PRIMARY_KEY_SQL, [table], 'reading')).map((row) =>
    String(row.column_name).toLowerCase(),
  );
  if (key.length !== 1 || key[0] !== 'id') {
    const what =
      key.length === 0 ? 'has no primary key' : `has the primary key (${key.join(', ')})`;
    throw new EngineError(
      'UNSUPPORTED_IDS',
      `The table ${JSON.stringify(table)} in ${display} ${what}: records are visited in id order, which ` +
        'is only safe when id is the primary key (unique, never NULL), so nothing was changed. Make id the ' +
        `primary key (ALTER TABLE ${table} ADD PRIMARY KEY (id), as the VaultStore library creates it), ` +
        'then run again.',
    );
  }
  const type = String((await session.query(ID_TYPE_SQL, [table], 'reading'))[0]?.data_type ?? '');
  if (!PAGEABLE_ID_TYPES.has(type.toLowerCase())) {
    throw new EngineError(
      'UNSUPPORTED_IDS',
      `The id column of ${JSON.stringify(table)} in ${display} is ${type}: ids must be text (as the ` +
        'VaultStore library makes them) to be visited and written back exactly, so nothing was changed. ' +
        'Store the ids as varchar or text, then run again.',
    );
  }
}
