/**
 * Every SQL statement the SQLite store runs, in one place for both SQLite
 * drivers (better-sqlite3 and sql.js).
 * Table names come from the file itself, so they are always quoted; values
 * are always bound parameters.
 */
import { V2_PREFIX, classifyStoredValue } from '../common/value-kind.js';
import { quoteIdentifier } from '../common/vault-table.js';

export type SqlParam = string | number | null;

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** Ordinary tables (no internal sqlite_ tables, no virtual tables). */
export const LIST_TABLES_SQL = `SELECT name FROM sqlite_master
  WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
    AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'
  ORDER BY name`;

export const TABLE_COLUMNS_SQL = 'SELECT name FROM pragma_table_info(?)';

export const QUICK_CHECK_SQL = 'PRAGMA quick_check(1)';

/**
 * SQL functions both SQLite drivers register on every connection. The v1 test is
 * JavaScript because SQLite has no regular expressions: trim() or GLOB over
 * multi-kilobyte values measured 25-70x slower than this (docs/storage.md).
 */
export const IS_V1_TEXT_FUNCTION = 'vaultstore_admin_is_v1_text';

export interface SqlFunction {
  readonly name: string;
  readonly apply: (value: unknown) => number;
}

/** Ids of WITHOUT ROWID tables must be valid UTF-8 to survive a round trip through JavaScript. */
export const IS_UTF8_FUNCTION = 'vaultstore_admin_is_utf8';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(value: unknown): number {
  if (!(value instanceof Uint8Array)) return typeof value === 'string' ? 1 : 0;
  try {
    strictUtf8.decode(value);
    return 1;
  } catch {
    return 0;
  }
}

export const SQL_FUNCTIONS: readonly SqlFunction[] = [
  { name: IS_V1_TEXT_FUNCTION, apply: (value) => (classifyStoredValue(value) === 'v1' ? 1 : 0) },
  { name: IS_UTF8_FUNCTION, apply: isUtf8 },
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

/**
 * How records are paged and addressed. SQLite's rowid where the table has one
 * (unique, non-NULL, whatever the id column holds: NULL, BLOB, integer or
 * duplicated ids all page correctly); the id column only for WITHOUT ROWID
 * tables, whose ids the store checks up front (see assertPageable).
 * Rowids travel as decimal text (exact beyond 2^53) and are CAST back.
 */
export type RecordKey =
  { readonly kind: 'rowid'; readonly column: string } | { readonly kind: 'id' };

/** The first rowid alias the table does not shadow with a column of the same name. */
export function rowidAlias(columns: readonly string[]): string | null {
  const taken = new Set(columns.map((column) => column.toLowerCase()));
  return ['rowid', '_rowid_', 'oid'].find((alias) => !taken.has(alias)) ?? null;
}

export const WITHOUT_ROWID_SQL = `SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`;

export const TRIGGERS_SQL = `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name`;

export const DATA_VERSION_SQL = 'PRAGMA data_version';

/** Ids a WITHOUT ROWID table must not hold for keyset paging on id: NULL, not TEXT, not UTF-8, duplicated. */
export function idShapeStatement(table: string): SqlStatement {
  return {
    sql: `SELECT
      coalesce(sum(id IS NULL), 0) AS null_ids,
      coalesce(sum(id IS NOT NULL AND typeof(id) <> 'text'), 0) AS non_text_ids,
      coalesce(sum(CASE WHEN typeof(id) = 'text' THEN NOT ${IS_UTF8_FUNCTION}(CAST(id AS BLOB)) ELSE 0 END), 0) AS non_utf8_ids,
      count(id) - count(DISTINCT id) AS duplicate_ids
      FROM ${quoteIdentifier(table)}`,
    params: [],
  };
}

function keyExpression(key: RecordKey): string {
  return key.kind === 'rowid' ? key.column : 'id';
}

/** "This record" for a bound key: rowids travel as text and are CAST back. */
function keyEquals(key: RecordKey): string {
  return key.kind === 'rowid' ? `${key.column} = CAST(? AS INTEGER)` : 'id = ?';
}

export interface RecordFilter {
  /** keyset cursor: only records after this key; null: from the first */
  readonly afterKey: string | null;
  /** upper bound, included (a shard's range); null: to the end */
  readonly upToKey?: string | null;
  readonly includeSoftDeleted: boolean;
  /** formatted "now" */
  readonly now: string;
}

/** WHERE clause shared by count, page and sample queries. */
function whereClause(key: RecordKey, filter: RecordFilter): SqlStatement {
  const conditions: string[] = [];
  const params: SqlParam[] = [];
  if (filter.afterKey !== null) {
    conditions.push(key.kind === 'rowid' ? `${key.column} > CAST(? AS INTEGER)` : 'id > ?');
    params.push(filter.afterKey);
  }
  const upTo = filter.upToKey ?? null;
  if (upTo !== null) {
    conditions.push(key.kind === 'rowid' ? `${key.column} <= CAST(? AS INTEGER)` : 'id <= ?');
    params.push(upTo);
  }
  if (!filter.includeSoftDeleted) {
    // The complement of "soft_deleted_at <= now", as the library lists live records.
    conditions.push('soft_deleted_at > ?');
    params.push(filter.now);
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

export function countStatement(table: string, key: RecordKey, filter: RecordFilter): SqlStatement {
  const where = whereClause(key, filter);
  return {
    sql: `SELECT count(*) AS n FROM ${quoteIdentifier(table)} ${where.sql}`,
    params: where.params,
  };
}

/** The id as people read it, whatever SQLite type it was stored with. */
const DISPLAY_ID = `CASE typeof(id) WHEN 'text' THEN id WHEN 'null' THEN '(no id)'
    WHEN 'blob' THEN 'x''' || hex(id) || '''' ELSE CAST(id AS TEXT) END`;

function recordColumns(key: RecordKey): string {
  const keyColumn = key.kind === 'rowid' ? `CAST(${key.column} AS TEXT)` : 'id';
  return `${keyColumn} AS record_key, ${DISPLAY_ID} AS id, vault_value AS value, soft_deleted_at <= ? AS soft_deleted`;
}

/** Keyset pagination: `WHERE key > ? ORDER BY key LIMIT ?`, never OFFSET. */
export function pageStatement(
  table: string,
  key: RecordKey,
  filter: RecordFilter,
  limit: number,
): SqlStatement {
  const where = whereClause(key, filter);
  return {
    sql: `SELECT ${recordColumns(key)} FROM ${quoteIdentifier(table)} ${where.sql} ORDER BY ${keyExpression(key)} LIMIT ?`,
    params: [filter.now, ...where.params, limit],
  };
}

/** The one record at `key` (soft-deleted filter as for pages). */
export function recordAtStatement(
  table: string,
  key: RecordKey,
  filter: RecordFilter,
  recordKey: string,
): SqlStatement {
  const where = whereClause(key, { ...filter, afterKey: null });
  const at = keyEquals(key);
  const sql = where.sql ? `${where.sql} AND ${at}` : `WHERE ${at}`;
  return {
    sql: `SELECT ${recordColumns(key)} FROM ${quoteIdentifier(table)} ${sql}`,
    params: [filter.now, ...where.params, recordKey],
  };
}

/** Byte sizes of the values of the next page, to bound a page by bytes before its values are read. */
export function pageSizesStatement(
  table: string,
  key: RecordKey,
  filter: RecordFilter,
  limit: number,
): SqlStatement {
  const where = whereClause(key, filter);
  return {
    sql: `SELECT length(CAST(vault_value AS BLOB)) AS bytes FROM ${quoteIdentifier(table)} ${where.sql} ORDER BY ${keyExpression(key)} LIMIT ?`,
    params: [...where.params, limit],
  };
}

/**
 * SQLite keeps only `limit` rows in its sorter for ORDER BY ... LIMIT.
 * `valueKind` keeps only values info() counts as that kind (tableCountsStatement).
 */
export function sampleStatement(
  table: string,
  key: RecordKey,
  filter: RecordFilter,
  limit: number,
  valueKind?: 'v2' | 'v1',
): SqlStatement {
  const where = whereClause(key, filter);
  const kindCondition = valueKind === undefined ? '' : `(${valueKind === 'v2' ? IS_V2 : IS_V1})`;
  const kindSql =
    kindCondition === '' ? '' : `${where.sql === '' ? 'WHERE' : 'AND'} ${kindCondition}`;
  return {
    sql: `SELECT ${recordColumns(key)} FROM ${quoteIdentifier(table)} ${where.sql} ${kindSql} ORDER BY random() LIMIT ?`,
    params: [filter.now, ...where.params, limit],
  };
}

/**
 * Guarded update: applies only while the value is still the one we read
 * (compared byte for byte, whatever the column's collation).
 * Parameters: newValue, updatedAt, key, expectedValue.
 */
export function guardedUpdateSql(table: string, key: RecordKey): string {
  const addressed = keyEquals(key);
  // CAST: a value stored as a BLOB is read as its text (toRecord); compared as a BLOB it would never match.
  return `UPDATE ${quoteIdentifier(table)} SET vault_value = ?, updated_at = ?
    WHERE ${addressed} AND CAST(vault_value AS TEXT) = ? COLLATE BINARY`;
}
