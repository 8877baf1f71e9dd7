/**
 * Every SQL statement the vault store runs, in one place for both drivers.
 * Table names come from the file itself, so they are always quoted; values
 * are always bound parameters.
 */
import { V2_PREFIX, classifyStoredValue } from './value-kind.js';

export type SqlParam = string | number | null;

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

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

/** Ordinary tables (no internal sqlite_ tables, no virtual tables). */
export const LIST_TABLES_SQL = `SELECT name FROM sqlite_master
  WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'
  ORDER BY name`;

export const TABLE_COLUMNS_SQL = 'SELECT name FROM pragma_table_info(?)';

export const QUICK_CHECK_SQL = 'PRAGMA quick_check(1)';

/**
 * SQL functions both drivers register on every connection. The v1 test is
 * JavaScript because SQLite has no regular expressions: trim() or GLOB over
 * multi-kilobyte values measured 25-70x slower than this (docs/storage.md).
 */
export const IS_V1_TEXT_FUNCTION = 'vaultstore_admin_is_v1_text';

export interface SqlFunction {
  readonly name: string;
  readonly apply: (value: unknown) => number;
}

export const SQL_FUNCTIONS: readonly SqlFunction[] = [
  { name: IS_V1_TEXT_FUNCTION, apply: (value) => (classifyStoredValue(value) === 'v1' ? 1 : 0) },
];

/** substr() compares with BINARY whatever the column's collation: exactly "v2:". */
const IS_V2 = `typeof(vault_value) = 'text' AND substr(vault_value, 1, ${V2_PREFIX.length}) = '${V2_PREFIX}'`;
/** CASE, because SQLite evaluates both sides of AND outside WHERE: call the function only for non-v2 text. */
const IS_V1 = `CASE WHEN typeof(vault_value) = 'text' AND substr(vault_value, 1, ${V2_PREFIX.length}) <> '${V2_PREFIX}'
  THEN ${IS_V1_TEXT_FUNCTION}(vault_value) ELSE 0 END`;

/** One scan: records, soft-deleted, expired, v2, v1 (other = records - v2 - v1). */
export function tableCountsStatement(table: string, now: string): SqlStatement {
  return {
    sql: `SELECT count(*) AS records,
      coalesce(sum(soft_deleted_at <= ?), 0) AS soft_deleted,
      coalesce(sum(expires_at <= ?), 0) AS expired,
      coalesce(sum(${IS_V2}), 0) AS v2,
      coalesce(sum(${IS_V1}), 0) AS v1
      FROM ${quoteIdentifier(table)}`,
    params: [now, now],
  };
}

export interface RecordFilter {
  readonly afterId: string | null;
  readonly includeSoftDeleted: boolean;
  /** formatted "now" */
  readonly now: string;
}

/** WHERE clause shared by count, page and sample queries. */
function whereClause(filter: RecordFilter): SqlStatement {
  const conditions: string[] = [];
  const params: SqlParam[] = [];
  if (filter.afterId !== null) {
    conditions.push('id > ?');
    params.push(filter.afterId);
  }
  if (!filter.includeSoftDeleted) {
    // The complement of "soft_deleted_at <= now", as the library lists live records.
    conditions.push('soft_deleted_at > ?');
    params.push(filter.now);
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export function countStatement(table: string, filter: RecordFilter): SqlStatement {
  const where = whereClause(filter);
  return {
    sql: `SELECT count(*) AS n FROM ${quoteIdentifier(table)} ${where.sql}`,
    params: where.params,
  };
}

const RECORD_COLUMNS = 'id, vault_value AS value, soft_deleted_at <= ? AS soft_deleted';

/** Keyset pagination: `WHERE id > ? ORDER BY id LIMIT ?`, never OFFSET. */
export function pageStatement(table: string, filter: RecordFilter, limit: number): SqlStatement {
  const where = whereClause(filter);
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${quoteIdentifier(table)} ${where.sql} ORDER BY id LIMIT ?`,
    params: [filter.now, ...where.params, limit],
  };
}

/**
 * SQLite keeps only `limit` rows in its sorter for ORDER BY ... LIMIT.
 * `valueKind` keeps only values info() counts as that kind (tableCountsStatement).
 */
export function sampleStatement(
  table: string,
  filter: RecordFilter,
  limit: number,
  valueKind?: 'v2' | 'v1',
): SqlStatement {
  const where = whereClause(filter);
  const kindCondition = valueKind === undefined ? '' : `(${valueKind === 'v2' ? IS_V2 : IS_V1})`;
  const kindSql =
    kindCondition === '' ? '' : `${where.sql === '' ? 'WHERE' : 'AND'} ${kindCondition}`;
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${quoteIdentifier(table)} ${where.sql} ${kindSql} ORDER BY random() LIMIT ?`,
    params: [filter.now, ...where.params, limit],
  };
}

/**
 * Guarded update: applies only while the value is still the one we read
 * (compared byte for byte, whatever the column's collation).
 * Parameters: newValue, updatedAt, id, expectedValue.
 */
export function guardedUpdateSql(table: string): string {
  // CAST: a value stored as a BLOB is read as its text (toRecord); compared as a BLOB it would never match.
  return `UPDATE ${quoteIdentifier(table)} SET vault_value = ?, updated_at = ?
    WHERE id = ? AND CAST(vault_value AS TEXT) = ? COLLATE BINARY`;
}
