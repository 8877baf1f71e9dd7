/**
 * The VaultStore library's DDL (docs/vaultstore-format.md), the one copy that
 * the benchmark's generator and the tests' vault builder
 * (test/support/vault-builder.ts) create vaults with. It lives here because
 * bench/ may not import test/ (layer table in eslint.config.js). Written
 * independently of the engine, so tests do not check the code with itself.
 */

/** SQLite identifier quoting (a table name may hold any character). */
function quote(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

/** The vault table alone: the seven columns, `id` the primary key. */
export function vaultTableSql(table: string): string {
  return (
    `CREATE TABLE ${quote(table)} (\`id\` text NOT NULL,\`vault_token\` text NOT NULL,\`vault_value\` longtext NOT NULL,` +
    `\`created_at\` datetime NOT NULL,\`updated_at\` datetime NOT NULL,\`expires_at\` datetime NOT NULL,` +
    `\`soft_deleted_at\` datetime NOT NULL,PRIMARY KEY (\`id\`))`
  );
}

/** The unique token index the library creates next to the vault table. */
export function tokenIndexSql(table: string): string {
  return `CREATE UNIQUE INDEX ${quote(`idx_${table}_token`)} ON ${quote(table)}(\`vault_token\`)`;
}

/** The library's meta table. */
export function metaTableSql(meta: string): string {
  return (
    `CREATE TABLE ${quote(meta)} (\`id\` integer PRIMARY KEY AUTOINCREMENT,\`object_type\` text,` +
    `\`object_id\` text,\`meta_key\` text,\`meta_value\` text)`
  );
}

/** Everything the library creates, as one script for `db.exec`. */
export function libraryDdl(table = 'vault', meta = 'vault_meta'): string {
  return [vaultTableSql(table), tokenIndexSql(table), metaTableSql(meta)].join(';\n');
}

/**
 * The library's tables on PostgreSQL and MySQL/MariaDB. The library creates
 * them with GORM AutoMigrate (store_implementation.go) from its model
 * (github.com/dracory/vaultstore gorm_model.go @3b9f33f, gorm v1.31,
 * gorm.io/driver/{postgres,mysql} v1.6):
 *   ID     `gorm:"primaryKey;size:40;column:id;not null"`
 *   Token  `gorm:"uniqueIndex;size:40;column:vault_token;not null"`
 *   Value  `gorm:"type:longtext;column:vault_value;not null"`
 *   *At    `gorm:"type:datetime;column:..._at;not null"`   (Go strings)
 *   meta:  ID uint primaryKey; size:50 object_type; size:64 object_id;
 *          size:50 meta_key; type:text meta_value
 * A string with size:N is varchar(N) in both dialects; an explicit `type:` is
 * copied verbatim (gorm schema/field.go: only bool/int/uint/float/string/time/
 * bytes are mapped), so GORM emits `longtext` and `datetime` on PostgreSQL
 * too, where those types do not exist: AutoMigrate fails there
 * (gormPostgresVaultTableSql documents it). People running the library on
 * PostgreSQL therefore create the table themselves; postgresVaultTableSql is
 * that table with the nearest types (text, and timestamptz by default).
 * The unique index is named idx_<table>_token (GORM's IndexName(table,
 * field name "Token")), as in the SQLite files the library makes.
 */
export type ServerDialect = 'postgres' | 'mysql';

/** Double-quoted PostgreSQL identifier. */
function pgQuote(name: string): string {
  return '"' + name.replaceAll('"', '""') + '"';
}

/** What GORM's MySQL dialect emits for the vault table (indexes inline: CreateIndexAfterCreateTable is false). */
export function mysqlVaultTableSql(table: string): string {
  return (
    `CREATE TABLE ${quote(table)} (\`id\` varchar(40) NOT NULL,\`vault_token\` varchar(40) NOT NULL,` +
    `\`vault_value\` longtext NOT NULL,\`created_at\` datetime NOT NULL,\`updated_at\` datetime NOT NULL,` +
    `\`expires_at\` datetime NOT NULL,\`soft_deleted_at\` datetime NOT NULL,PRIMARY KEY (\`id\`),` +
    `UNIQUE INDEX ${quote(`idx_${table}_token`)} (\`vault_token\`))`
  );
}

/** GORM's MySQL meta table: uint primary key → bigint unsigned AUTO_INCREMENT. */
export function mysqlMetaTableSql(meta: string): string {
  return (
    `CREATE TABLE ${quote(meta)} (\`id\` bigint unsigned AUTO_INCREMENT,\`object_type\` varchar(50),` +
    `\`object_id\` varchar(64),\`meta_key\` varchar(50),\`meta_value\` text,PRIMARY KEY (\`id\`))`
  );
}

/**
 * Exactly what GORM's PostgreSQL dialect emits for the vault table. PostgreSQL
 * rejects it (type "longtext" does not exist): kept to show, and test, why a
 * PostgreSQL vault is made by hand.
 */
export function gormPostgresVaultTableSql(table: string): string {
  return (
    `CREATE TABLE ${pgQuote(table)} ("id" varchar(40) NOT NULL,"vault_token" varchar(40) NOT NULL,` +
    `"vault_value" longtext NOT NULL,"created_at" datetime NOT NULL,"updated_at" datetime NOT NULL,` +
    `"expires_at" datetime NOT NULL,"soft_deleted_at" datetime NOT NULL,PRIMARY KEY ("id"))`
  );
}

/** Column type for the four datetime columns of a hand-made PostgreSQL vault. */
export type PostgresDatetimeType = 'timestamptz' | 'timestamp' | 'text';

/** The PostgreSQL vault table as GORM would make it if PostgreSQL had longtext and datetime. */
export function postgresVaultTableSql(
  table: string,
  datetime: PostgresDatetimeType = 'timestamptz',
): string {
  return (
    `CREATE TABLE ${pgQuote(table)} ("id" varchar(40) NOT NULL,"vault_token" varchar(40) NOT NULL,` +
    `"vault_value" text NOT NULL,"created_at" ${datetime} NOT NULL,"updated_at" ${datetime} NOT NULL,` +
    `"expires_at" ${datetime} NOT NULL,"soft_deleted_at" ${datetime} NOT NULL,PRIMARY KEY ("id"))`
  );
}

/** GORM's PostgreSQL unique index (created after the table: CreateIndexAfterCreateTable). */
export function postgresTokenIndexSql(table: string): string {
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${pgQuote(`idx_${table}_token`)} ON ${pgQuote(table)} ("vault_token")`;
}

/** GORM's PostgreSQL meta table: uint primary key → bigserial. */
export function postgresMetaTableSql(meta: string): string {
  return (
    `CREATE TABLE ${pgQuote(meta)} ("id" bigserial,"object_type" varchar(50),"object_id" varchar(64),` +
    `"meta_key" varchar(50),"meta_value" text,PRIMARY KEY ("id"))`
  );
}

/** The statements that create a vault on a server, one per array item (no multi-statement needed). */
export function serverLibraryDdl(
  dialect: ServerDialect,
  table = 'vault',
  meta = 'vault_meta',
  postgresDatetime: PostgresDatetimeType = 'timestamptz',
): string[] {
  return dialect === 'mysql'
    ? [mysqlVaultTableSql(table), mysqlMetaTableSql(meta)]
    : [
        postgresVaultTableSql(table, postgresDatetime),
        postgresTokenIndexSql(table),
        postgresMetaTableSql(meta),
      ];
}
