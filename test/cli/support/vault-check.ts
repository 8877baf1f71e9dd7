/** Checks a vault after the CLI touched it, with the engine's codec (not the CLI). */
import Database from 'better-sqlite3';
import type { Argon2Config } from '../../../src/core/argon2.js';
import { openValue } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import type { VaultManifest } from '../../support/fixtures.js';
import { sha256 } from '../../support/vault-builder.js';

interface Row {
  id: string;
  vault_value: string;
}

export function readValues(dbPath: string, table = 'vault'): Map<string, string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare(`SELECT id, vault_value FROM "${table}" ORDER BY id`).all() as Row[];
    return new Map(rows.map((row) => [row.id, row.vault_value]));
  } finally {
    db.close();
  }
}

export function manifestConfig(manifest: VaultManifest): Argon2Config {
  return {
    iterations: manifest.config.iterations,
    memoryKiB: manifest.config.memory_kib,
    parallelism: manifest.config.parallelism,
  };
}

/**
 * Every record of the manifest: those under `from` open with `to` as v2 to
 * their original plaintext (soft-deleted included unless `skipSoftDeleted`),
 * every other one is byte-for-byte what it was. Returns the problems found.
 */
export async function checkRotation(
  dbPath: string,
  manifest: VaultManifest,
  rotation: { from: string; to: string; skipSoftDeleted?: boolean },
): Promise<string[]> {
  const kdf = await loadArgon2idBackend('auto');
  const config = manifestConfig(manifest);
  const values = readValues(dbPath, manifest.table);
  const newPassword = Buffer.from(rotation.to, 'utf8');
  const problems: string[] = [];
  if (values.size !== manifest.n) problems.push(`${values.size} records, expected ${manifest.n}`);
  for (const [id, record] of Object.entries(manifest.records)) {
    const value = values.get(id);
    if (value === undefined) {
      problems.push(`${id}: missing`);
      continue;
    }
    const rotates =
      record.password === rotation.from && !(rotation.skipSoftDeleted && record.soft_deleted);
    if (!rotates) {
      if (sha256(value) !== record.value_sha256)
        problems.push(`${id}: changed but should not have`);
      continue;
    }
    const opened = await openValue(value, newPassword, config, kdf);
    if (!opened.ok) problems.push(`${id}: does not open with the new password (${opened.detail})`);
    else if (opened.version !== 'v2')
      problems.push(`${id}: rotated to ${opened.version}, expected v2`);
    else if (sha256(opened.plaintext) !== record.plaintext_sha256)
      problems.push(`${id}: plaintext differs`);
  }
  return problems;
}

/** How many records of `manifest` a rotation from `password` rewrites. */
export function recordsUnder(
  manifest: VaultManifest,
  password: string,
  options: { skipSoftDeleted?: boolean } = {},
): number {
  return Object.values(manifest.records).filter(
    (record) => record.password === password && !(options.skipSoftDeleted && record.soft_deleted),
  ).length;
}
