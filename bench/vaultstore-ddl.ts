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
