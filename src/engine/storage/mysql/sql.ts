/**
 * The SQL text of the MySQL/MariaDB store. Table names come from the catalog
 * and are always quoted; values are always bound. Keyset paging compares ids
 * with `>` and `ORDER BY id` in the column's own collation (the order of the
 * primary-key index). Where ids and stored values must be exactly the text
 * read, they are compared as the client reads them (converted to the
 * connection's utf8mb4), byte for byte: never through a case- or
 * accent-insensitive, PAD SPACE collation, and never as the column's own
 * bytes, which differ from the bound text's in utf16, latin1 and the like.
 */
import { createHash } from 'node:crypto';
import { V2_PREFIX } from '../common/value-kind.js';

export type MysqlParam = string | number;

export interface MysqlStatement {
  readonly sql: string;
  readonly params: readonly MysqlParam[];
}

/** Backtick identifier quoting. */
export function quoteMysqlIdentifier(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

/**
 * Base tables (no views) of the connection's database with their columns;
 * MariaDB's system-versioned tables too (found, so that a rotation can
 * refuse them by name: see copies.ts).
 */
export const TABLE_COLUMNS_SQL = `SELECT c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name
  FROM information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
  WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')
  ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`;

/**
 * The table's type ('BASE TABLE', or 'SYSTEM VERSIONED': MariaDB keeps every
 * old row version), its storage engine and whether that engine has
 * transactions ('YES'; NULL when the engine is not loaded).
 */
export const TABLE_TYPE_SQL = `SELECT t.TABLE_TYPE AS table_type, t.ENGINE AS engine,
    e.TRANSACTIONS AS transactions
  FROM information_schema.TABLES t LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE
  WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = ?`;

/** Foreign keys (of any database) whose parent column is the table's vault_value. */
export const VALUE_REFERENCES_SQL = `SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name,
    CONSTRAINT_NAME AS constraint_name
  FROM information_schema.KEY_COLUMN_USAGE
  WHERE REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ?
    AND REFERENCED_COLUMN_NAME = 'vault_value'
  ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME`;

/** Primary-key columns of one table, in key order. */
export const PRIMARY_KEY_SQL = `SELECT COLUMN_NAME AS column_name FROM information_schema.KEY_COLUMN_USAGE
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'
  ORDER BY ORDINAL_POSITION`;

/** The declared type of the id column. */
export const ID_TYPE_SQL = `SELECT DATA_TYPE AS data_type, COLUMN_TYPE AS column_type FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'id'`;

export const TRIGGERS_SQL = `SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS
  WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME`;

/** Bytes the table takes on the server (data and indexes, as the server estimates them). */
export const TABLE_SIZE_SQL = `SELECT coalesce(sum(DATA_LENGTH + INDEX_LENGTH), 0) AS bytes
  FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`;

/**
 * A column's text as the client reads it, as bytes (to compare with
 * EXACT_PARAM): the same test whatever the column's character set (utf16
 * bytes never equal the UTF-8 bytes of the bound text) and collation.
 */
function exactText(expression: string): string {
  return `CAST(CONVERT(${expression} USING utf8mb4) AS BINARY)`;
}

/** A bound text (utf8mb4, the connection's character set) as bytes. */
const EXACT_PARAM = 'CAST(? AS BINARY)';

/** Characters a v1 value can hold (value-kind.ts), matched case-sensitively whatever the collation. */
const V1_REGEX = '(?-i)^[A-Za-z0-9_=\r\n-]+$';

/** Exactly "v2:" (a case-insensitive collation would take "V2:"). Parameter: V2_PREFIX. */
const IS_V2 = `${exactText(`LEFT(vault_value, ${V2_PREFIX.length})`)} = ${EXACT_PARAM}`;
/** Not v2 and only v1 characters. Parameters: V2_PREFIX, V1_REGEX. */
const IS_V1 = `(NOT (${IS_V2}) AND vault_value REGEXP ?)`;

/** One scan: records, soft-deleted, expired, v2, v1 (other = records - v2 - v1). */
export function tableCountsStatement(table: string, now: string): MysqlStatement {
  return {
    sql: `SELECT count(*) AS records,
      coalesce(sum(soft_deleted_at <= ?), 0) AS soft_deleted,
      coalesce(sum(expires_at <= ?), 0) AS expired,
      coalesce(sum(${IS_V2}), 0) AS v2,
      coalesce(sum(${IS_V1}), 0) AS v1
      FROM ${quoteMysqlIdentifier(table)}`,
    params: [now, now, V2_PREFIX, V2_PREFIX, V1_REGEX],
  };
}

export interface MysqlRecordFilter {
  /** keyset cursor: only ids after this one in the column's collation; null: from the first */
  readonly afterKey: string | null;
  /** upper bound, included, in the same collation (a shard's range); null: to the end */
  readonly upToKey?: string | null;
  readonly includeSoftDeleted: boolean;
  /** "now" as "YYYY-MM-DD HH:MM:SS" UTC (the session's time zone is UTC) */
  readonly now: string;
}

function whereClause(filter: MysqlRecordFilter, extra: MysqlStatement[] = []): MysqlStatement {
  const conditions: string[] = [];
  const params: MysqlParam[] = [];
  if (filter.afterKey !== null) {
    conditions.push('id > ?');
    params.push(filter.afterKey);
  }
  const upTo = filter.upToKey ?? null;
  if (upTo !== null) {
    conditions.push('id <= ?');
    params.push(upTo);
  }
  if (!filter.includeSoftDeleted) {
    // The complement of "soft_deleted_at <= now", as the library lists live records.
    conditions.push('soft_deleted_at > ?');
    params.push(filter.now);
  }
  for (const condition of extra) {
    conditions.push(condition.sql);
    params.push(...condition.params);
  }
  return { sql: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

const RECORD_COLUMNS =
  'id AS record_key, vault_value AS value, soft_deleted_at <= ? AS soft_deleted';

export function countStatement(table: string, filter: MysqlRecordFilter): MysqlStatement {
  const where = whereClause(filter);
  return {
    sql: `SELECT count(*) AS n FROM ${quoteMysqlIdentifier(table)} ${where.sql}`,
    params: where.params,
  };
}

/** Limits are checked positive integers, written into the text (LIMIT takes no string parameter). */
function limitClause(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`bad LIMIT ${limit}`);
  return `LIMIT ${limit}`;
}

/** Keyset pagination: `WHERE id > ? ORDER BY id LIMIT n`, never OFFSET. */
export function pageStatement(
  table: string,
  filter: MysqlRecordFilter,
  limit: number,
): MysqlStatement {
  const where = whereClause(filter);
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${quoteMysqlIdentifier(table)} ${where.sql} ORDER BY id ${limitClause(limit)}`,
    params: [filter.now, ...where.params],
  };
}

/** Byte sizes of the next page's values, to bound a page by bytes before reading them. */
export function pageSizesStatement(
  table: string,
  filter: MysqlRecordFilter,
  limit: number,
): MysqlStatement {
  const where = whereClause(filter);
  return {
    sql: `SELECT length(vault_value) AS bytes FROM ${quoteMysqlIdentifier(table)} ${where.sql} ORDER BY id ${limitClause(limit)}`,
    params: where.params,
  };
}

/** The record at `key` (the primary key, in its collation), soft-deleted filter as for pages. */
export function recordAtStatement(
  table: string,
  filter: MysqlRecordFilter,
  key: string,
): MysqlStatement {
  const where = whereClause({ ...filter, afterKey: null }, [{ sql: 'id = ?', params: [key] }]);
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${quoteMysqlIdentifier(table)} ${where.sql}`,
    params: [filter.now, ...where.params],
  };
}

/** `count` records at random (ORDER BY RAND() keeps only `count` rows in its sort buffer). */
export function sampleStatement(
  table: string,
  filter: MysqlRecordFilter,
  count: number,
  valueKind?: 'v2' | 'v1',
): MysqlStatement {
  const kind: MysqlStatement[] =
    valueKind === undefined
      ? []
      : valueKind === 'v2'
        ? [{ sql: IS_V2, params: [V2_PREFIX] }]
        : [{ sql: IS_V1, params: [V2_PREFIX, V1_REGEX] }];
  const where = whereClause(filter, kind);
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM ${quoteMysqlIdentifier(table)} ${where.sql} ORDER BY RAND() ${limitClause(count)}`,
    params: [filter.now, ...where.params],
  };
}

export interface GuardedUpdate {
  readonly key: string;
  readonly expectedValue: string;
  readonly newValue: string;
}

/** SHA-256 (hex) of a text's UTF-8 bytes, as SHA2(…, 256) gives it for a utf8mb4 text. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Locks, among `updates`, the records that still hold the value read and
 * returns their ids. The value is compared by its SHA-256 as the client
 * reads it: exact, and the old-password value never travels in a
 * statement's text (a general or slow query log, an audit plugin or the
 * process list would keep or show it). One statement: the range optimizer
 * turns the OR of primary-key equalities into point lookups.
 */
export function lockUnchangedStatement(
  table: string,
  updates: readonly GuardedUpdate[],
): MysqlStatement {
  const sql = updates
    .map(() => '(id = ? AND SHA2(CONVERT(vault_value USING utf8mb4), 256) = ?)')
    .join(' OR ');
  return {
    sql: `SELECT id FROM ${quoteMysqlIdentifier(table)} WHERE ${sql} FOR UPDATE`,
    params: updates.flatMap((update) => [update.key, sha256Hex(update.expectedValue)]),
  };
}

/**
 * One UPDATE for the locked records: each gets its own new value, all the
 * same updated_at. A row is matched only by its exact id (`id IN` finds it
 * through the primary key, the exact test keeps a collation-equal other
 * spelling out), so every row the UPDATE matches gets its new value, and
 * the rows it matched (found rows; with mysql2's default FOUND_ROWS flag, or
 * changed rows, which are the same here: every new value differs from the
 * old) count exactly the records written.
 */
export function multiUpdateStatement(
  table: string,
  updates: readonly GuardedUpdate[],
  updatedAt: string,
): MysqlStatement {
  const id = exactText('id');
  const cases = updates.map(() => `WHEN ${id} = ${EXACT_PARAM} THEN ?`).join(' ');
  const keys = updates.map(() => '?').join(', ');
  const exactKeys = updates.map(() => EXACT_PARAM).join(', ');
  const keyParams = updates.map((update) => update.key);
  return {
    sql:
      `UPDATE ${quoteMysqlIdentifier(table)} SET vault_value = CASE ${cases} ELSE vault_value END, ` +
      `updated_at = ? WHERE id IN (${keys}) AND ${id} IN (${exactKeys})`,
    params: [
      ...updates.flatMap((update) => [update.key, update.newValue]),
      updatedAt,
      ...keyParams,
      ...keyParams,
    ],
  };
}

/** All columns of one snapshot page, in key order (backup). */
export function backupPageStatement(
  table: string,
  afterKey: string | null,
  limit: number,
): MysqlStatement {
  return {
    sql:
      'SELECT id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at ' +
      `FROM ${quoteMysqlIdentifier(table)} ${afterKey === null ? '' : 'WHERE id > ?'} ORDER BY id ${limitClause(limit)}`,
    params: afterKey === null ? [] : [afterKey],
  };
}

/**
 * Every `every`-th id of the table in the primary key's order (the
 * server's collation; never sorted by the client), for shard cuts.
 */
export function everyNthKeyStatement(table: string, every: number): MysqlStatement {
  return {
    sql: `SELECT record_key FROM (SELECT id AS record_key, row_number() OVER (ORDER BY id) AS n
      FROM ${quoteMysqlIdentifier(table)}) cut WHERE n % ? = 0 ORDER BY n`,
    params: [every],
  };
}
