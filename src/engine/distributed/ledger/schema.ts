/**
 * Where the ledger of a distributed rotation lives and its DDL, per dialect:
 * four tables (vsa_rotation, vsa_shard, vsa_visit, vsa_worker) in the vault's
 * own database, in the vault table's schema (PostgreSQL) or database
 * (MySQL/MariaDB) unless the user names another. No column holds a secret:
 * canaries are sealed values, visit rows hold record keys and 30-bit
 * fingerprints, failure reasons are codes.
 */
import { quoteIdentifier } from '../../storage/common/vault-table.js';
import { quoteMysqlIdentifier } from '../../storage/mysql/sql.js';
import type { ServerSql, SqlParam, SqlRow } from '../../storage/types.js';

export type Dialect = ServerSql['dialect'];

export const LEDGER_TABLES = ['vsa_visit', 'vsa_worker', 'vsa_shard', 'vsa_rotation'] as const;
export type LedgerTable = (typeof LEDGER_TABLES)[number];

/** Qualified, quoted names of the ledger tables. */
export type LedgerNames = Readonly<Record<LedgerTable, string>>;

export function ledgerNames(dialect: Dialect, schema: string | null): LedgerNames {
  const quote = dialect === 'postgres' ? quoteIdentifier : quoteMysqlIdentifier;
  const name = (table: string): string =>
    schema === null ? quote(table) : `${quote(schema)}.${quote(table)}`;
  return {
    vsa_visit: name('vsa_visit'),
    vsa_worker: name('vsa_worker'),
    vsa_shard: name('vsa_shard'),
    vsa_rotation: name('vsa_rotation'),
  };
}

/** Column types that differ: record keys and JSON as exact text (MySQL: utf8mb4_bin, no 64 KiB limit). */
function types(dialect: Dialect): { text: string; id: string; options: string } {
  return dialect === 'postgres'
    ? { text: 'text', id: 'varchar(128)', options: '' }
    : {
        text: 'mediumtext',
        id: 'varchar(128)',
        options: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
      };
}

/** CREATE TABLE IF NOT EXISTS for each ledger table (times: milliseconds since the epoch, UTC). */
export function ledgerDdl(dialect: Dialect, names: LedgerNames): string[] {
  const { text, id, options } = types(dialect);
  return [
    `CREATE TABLE IF NOT EXISTS ${names.vsa_rotation} (
      id ${id} NOT NULL PRIMARY KEY,
      vault_table ${id} NOT NULL,
      state varchar(16) NOT NULL,
      now_ms bigint NOT NULL,
      include_soft_deleted smallint NOT NULL,
      open_config ${text} NOT NULL,
      write_config ${text} NOT NULL,
      canary_old ${text} NOT NULL,
      canary_new ${text} NOT NULL,
      rows_at_start bigint NOT NULL,
      shard_count integer NOT NULL,
      bounds_hash varchar(64) NOT NULL,
      round integer NOT NULL,
      coordinator ${id},
      heartbeat_ms bigint,
      started_ms bigint NOT NULL,
      updated_ms bigint NOT NULL,
      outcome ${text}
    )${options}`,
    `CREATE TABLE IF NOT EXISTS ${names.vsa_shard} (
      rotation ${id} NOT NULL,
      shard integer NOT NULL,
      lo ${text},
      hi ${text},
      rows_at_start bigint NOT NULL,
      epoch bigint NOT NULL,
      owner ${id},
      round integer NOT NULL,
      done smallint NOT NULL,
      cursor_key ${text},
      scanned bigint NOT NULL,
      opened bigint NOT NULL,
      rotated bigint NOT NULL,
      skipped bigint NOT NULL,
      failed bigint NOT NULL,
      changed bigint NOT NULL,
      bytes bigint NOT NULL,
      derivations bigint NOT NULL,
      sweep_examined bigint NOT NULL,
      sweep_rotated bigint NOT NULL,
      sweep_failed bigint NOT NULL,
      round_read bigint NOT NULL,
      round_found bigint NOT NULL,
      round_opened bigint NOT NULL,
      round_deleted bigint NOT NULL,
      failure varchar(32),
      PRIMARY KEY (rotation, shard)
    )${options}`,
    `CREATE TABLE IF NOT EXISTS ${names.vsa_visit} (
      rotation ${id} NOT NULL,
      shard integer NOT NULL,
      epoch bigint NOT NULL,
      seq integer NOT NULL,
      entries ${text} NOT NULL,
      PRIMARY KEY (rotation, shard, epoch, seq)
    )${options}`,
    `CREATE TABLE IF NOT EXISTS ${names.vsa_worker} (
      rotation ${id} NOT NULL,
      worker ${id} NOT NULL,
      host ${id} NOT NULL,
      pool integer NOT NULL,
      backend varchar(16) NOT NULL,
      state varchar(16) NOT NULL,
      records bigint NOT NULL,
      rate double precision NOT NULL,
      last_seen_ms bigint NOT NULL,
      PRIMARY KEY (rotation, worker)
    )${options}`,
  ];
}

/**
 * Statements written with `?` placeholders (never inside a literal here),
 * numbered for PostgreSQL.
 */
export function dialectSql(dialect: Dialect, sql: string): string {
  if (dialect === 'mysql') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A ServerSql whose statements use `?` whatever the dialect. */
export function portable(sql: ServerSql): ServerSql {
  return {
    dialect: sql.dialect,
    query: (text: string, params?: readonly SqlParam[]): Promise<SqlRow[]> =>
      sql.query(dialectSql(sql.dialect, text), params),
    modify: (text: string, params?: readonly SqlParam[]): Promise<number> =>
      sql.modify(dialectSql(sql.dialect, text), params),
  };
}
