/**
 * The SQL the PostgreSQL store runs against one vault table. Names come
 * from the catalog and are always quoted; values are always parameters.
 * Datetimes are compared and written in the form their column holds them
 * (timestamptz, timestamp or text: see DateTimeKind); ids are compared in
 * the id column's own collation, the order of its primary-key index.
 */
import { quoteIdentifier } from '../common/vault-table.js';
import { V2_PREFIX } from '../common/value-kind.js';
import { columnOf, dateTimeKind, type CatalogTable, type DateTimeKind } from './catalog.js';

export type PgParam = string | number | readonly string[] | null;

export interface PgStatement {
  readonly text: string;
  readonly values: PgParam[];
}

/** Runs one statement on the store's connection; `action` names it in errors ("reading"). */
export type PgRun = <T>(action: string, statement: PgStatement) => Promise<T[]>;

/** Collects parameters and hands out their $n placeholders. */
class Params {
  readonly values: PgParam[] = [];
  add(value: PgParam): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The library's datetime text form, from a column of any of the three kinds. */
const TEXT_FORMAT = `'YYYY-MM-DD HH24:MI:SS'`;

/** Byte-exact text comparisons, whatever the column's collation (deterministic or not). */
const EXACT = 'COLLATE "C"';

/** Exactly "v2:" first (the format's dispatch rule). */
const IS_V2 = `left(vault_value::text, ${V2_PREFIX.length}) ${EXACT} = '${V2_PREFIX}'`;
/** value-kind.ts's V1_PATTERN; "C" makes the ranges byte ranges. */
const IS_V1 = `(NOT (${IS_V2}) AND vault_value::text ${EXACT} ~ '^[A-Za-z0-9_=\\r\\n-]+$')`;

export interface RecordFilter {
  readonly afterKey: string | null;
  /** upper bound, included, in the id column's collation (a shard's range); null: to the end */
  readonly upToKey?: string | null;
  readonly includeSoftDeleted: boolean;
  /** "YYYY-MM-DD HH:MM:SS" UTC */
  readonly now: string;
}

/** Statements for one vault table, shaped by its column types. */
export class TableSql {
  /** schema.table, for people */
  readonly name: string;
  readonly schema: string;
  /** the table's own name in its schema */
  readonly tableName: string;
  /** the quoted, schema-qualified name for SQL */
  readonly quoted: string;
  private readonly idType: string;
  private readonly kinds: Readonly<Record<string, DateTimeKind>>;
  private readonly types: Readonly<Record<string, string>>;

  constructor(table: CatalogTable) {
    this.name = table.name;
    this.schema = table.schema;
    this.tableName = table.table;
    this.quoted = `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.table)}`;
    this.idType = columnOf(table, 'id').type;
    const dates = ['created_at', 'updated_at', 'expires_at', 'soft_deleted_at'];
    this.kinds = Object.fromEntries(
      dates.map((name) => [name, dateTimeKind(columnOf(table, name))]),
    );
    this.types = Object.fromEntries(dates.map((name) => [name, columnOf(table, name).type]));
  }

  /** `column <op> now`, compared as instants for timestamp columns and as text otherwise. */
  private dateCompare(column: string, op: '<=' | '>', param: string): string {
    const kind = this.kinds[column];
    const name = quoteIdentifier(column);
    if (kind === 'text') return `${name}::text ${EXACT} ${op} ${param}::text`;
    return `${name} ${op} CAST(${param} AS ${kind})`;
  }

  /** The column as the library's "YYYY-MM-DD HH:MM:SS" UTC text. */
  dateText(column: string): string {
    const name = quoteIdentifier(column);
    switch (this.kinds[column] ?? 'text') {
      case 'timestamptz':
        return `to_char(${name} AT TIME ZONE 'UTC', ${TEXT_FORMAT})`;
      case 'timestamp':
        return `to_char(${name}, ${TEXT_FORMAT})`;
      case 'text':
        return `${name}::text`;
    }
  }

  private where(params: Params, filter: RecordFilter, extra: string[] = []): string {
    const conditions: string[] = [];
    // Compared as the id column's type, in its collation: the order of the primary-key index.
    if (filter.afterKey !== null) conditions.push(`id > ${params.add(filter.afterKey)}`);
    const upTo = filter.upToKey ?? null;
    if (upTo !== null) conditions.push(`id <= ${params.add(upTo)}`);
    if (!filter.includeSoftDeleted) {
      // The complement of "soft_deleted_at <= now", as the library lists live records.
      conditions.push(this.dateCompare('soft_deleted_at', '>', params.add(filter.now)));
    }
    conditions.push(...extra);
    return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  }

  private recordColumns(params: Params, now: string): string {
    const softDeleted = this.dateCompare('soft_deleted_at', '<=', params.add(now));
    return `id::text AS key, vault_value::text AS value, (${softDeleted}) IS TRUE AS soft_deleted`;
  }

  counts(now: string): PgStatement {
    const params = new Params();
    const at = params.add(now);
    return {
      text: `SELECT count(*) AS records,
        count(*) FILTER (WHERE ${this.dateCompare('soft_deleted_at', '<=', at)}) AS soft_deleted,
        count(*) FILTER (WHERE ${this.dateCompare('expires_at', '<=', at)}) AS expired,
        count(*) FILTER (WHERE ${IS_V2}) AS v2,
        count(*) FILTER (WHERE ${IS_V1}) AS v1,
        pg_total_relation_size(to_regclass(${params.add(this.quoted)})) AS size_bytes
        FROM ${this.quoted}`,
      values: params.values,
    };
  }

  count(filter: RecordFilter): PgStatement {
    const params = new Params();
    const where = this.where(params, filter);
    return { text: `SELECT count(*) AS n FROM ${this.quoted} ${where}`, values: params.values };
  }

  /**
   * Keyset page in id order. With maxBytes, the running total of value sizes
   * (octet_length reads no value) cuts the page before values are sent:
   * records while the total stays within maxBytes, and at least one.
   */
  page(filter: RecordFilter, limit: number, maxBytes?: number): PgStatement {
    const params = new Params();
    const columns = this.recordColumns(params, filter.now);
    const where = this.where(params, filter);
    const limitParam = params.add(limit);
    if (maxBytes === undefined) {
      return {
        text: `SELECT ${columns} FROM ${this.quoted} ${where} ORDER BY id LIMIT ${limitParam}`,
        values: params.values,
      };
    }
    return {
      text: `SELECT key, value, soft_deleted FROM (
          SELECT ${columns},
            sum(octet_length(vault_value)) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS running,
            row_number() OVER (ORDER BY id) AS n
          FROM ${this.quoted} ${where} ORDER BY id LIMIT ${limitParam}) page
        WHERE n = 1 OR running <= ${params.add(maxBytes)} ORDER BY n`,
      values: params.values,
    };
  }

  recordAt(filter: RecordFilter, key: string): PgStatement {
    const params = new Params();
    const columns = this.recordColumns(params, filter.now);
    const where = this.where(params, { ...filter, afterKey: null }, [`id = ${params.add(key)}`]);
    return { text: `SELECT ${columns} FROM ${this.quoted} ${where}`, values: params.values };
  }

  sample(filter: RecordFilter, limit: number, valueKind?: 'v2' | 'v1'): PgStatement {
    const params = new Params();
    const columns = this.recordColumns(params, filter.now);
    const kind = valueKind === undefined ? [] : [valueKind === 'v2' ? IS_V2 : IS_V1];
    const where = this.where(params, filter, kind);
    return {
      text: `SELECT ${columns} FROM ${this.quoted} ${where} ORDER BY random() LIMIT ${params.add(limit)}`,
      values: params.values,
    };
  }

  /**
   * The whole batch in one statement: each row changes only while it still
   * holds the value read (compared byte for byte); RETURNING names the rows
   * written, the others failed their guard.
   */
  guardedBatch(
    keys: readonly string[],
    expected: readonly string[],
    values: readonly string[],
    updatedAt: string,
  ): PgStatement {
    const params = new Params();
    const k = params.add(keys);
    const e = params.add(expected);
    const v = params.add(values);
    const at = params.add(updatedAt);
    return {
      text: `UPDATE ${this.quoted} AS t
        SET vault_value = u.new_value, updated_at = CAST(${at}::text AS ${this.types.updated_at})
        FROM unnest(${k}::text[], ${e}::text[], ${v}::text[]) AS u(id, expected, new_value)
        WHERE t.id = CAST(u.id AS ${this.idType}) AND t.vault_value::text ${EXACT} = u.expected
        RETURNING t.id::text AS key`,
      values: params.values,
    };
  }

  /** Every `every`-th id in the primary key's order (the server's collation), for shard cuts. */
  everyNthKey(every: number): PgStatement {
    return {
      text: `SELECT key FROM (SELECT id::text AS key, row_number() OVER (ORDER BY id) AS n
        FROM ${this.quoted}) cut WHERE n % $1 = 0 ORDER BY n`,
      values: [every],
    };
  }

  /**
   * What runs when rows of the table are updated, besides the update: its
   * triggers, those of its partitions and inheritance children (an UPDATE of
   * the parent updates their rows), and rewrite rules on UPDATE. Internal
   * triggers (foreign keys) are left out. Each named with where it sits.
   */
  updateHooks(): PgStatement {
    return {
      text: `WITH RECURSIVE tree(oid, depth) AS (
          SELECT to_regclass($1)::oid, 0
          UNION ALL SELECT i.inhrelid, tree.depth + 1 FROM pg_inherits i JOIN tree ON i.inhparent = tree.oid)
        SELECT hook.name, hook.kind, tree.depth, n.nspname AS schema, c.relname AS relation,
            c.relispartition AS partition
          FROM tree
          JOIN pg_class c ON c.oid = tree.oid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN LATERAL (
            SELECT t.tgname::text AS name, 'trigger' AS kind FROM pg_trigger t
              WHERE t.tgrelid = tree.oid AND NOT t.tgisinternal
            UNION ALL
            SELECT r.rulename::text, 'rule' FROM pg_rewrite r
              WHERE r.ev_class = tree.oid AND r.ev_type = '2') hook ON true
          ORDER BY tree.depth, n.nspname, c.relname, hook.kind DESC, hook.name`,
      values: [this.quoted],
    };
  }

  /** One keyset page of full rows for the backup, datetimes as the library's text. */
  backupPage(afterKey: string | null, limit: number): PgStatement {
    const params = new Params();
    const after = afterKey === null ? '' : `WHERE id > ${params.add(afterKey)}`;
    return {
      text: `SELECT id::text AS id, vault_token::text AS vault_token, vault_value::text AS vault_value,
        ${this.dateText('created_at')} AS created_at, ${this.dateText('updated_at')} AS updated_at,
        ${this.dateText('expires_at')} AS expires_at, ${this.dateText('soft_deleted_at')} AS soft_deleted_at
        FROM ${this.quoted} ${after} ORDER BY id LIMIT ${params.add(limit)}`,
      values: params.values,
    };
  }
}
