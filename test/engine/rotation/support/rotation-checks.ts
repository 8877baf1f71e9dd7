/** Shared checks of the rotation tests (not a test file). */
import { join } from 'node:path';
import { expect } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../../../src/core/argon2.js';
import type { RotationOptions, RotationResult } from '../../../../src/engine/rotation/types.js';
import type { VaultManifest } from '../../../support/fixtures.js';
import { FIXTURE_PASSWORD_A, FIXTURE_PASSWORD_B } from '../../../support/passwords.js';
import { openStoredValue, readRows, sha256 } from '../../../support/vault-builder.js';

export const tiny = ARGON2_PRESETS.tiny;
/** The fixtures' passwords, by their short names in these tests. */
export const PW_A = FIXTURE_PASSWORD_A;
export const PW_B = FIXTURE_PASSWORD_B;
export const NEW_PASSWORD = 'New-Password-0123456789';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** PW_A -> NEW_PASSWORD on the tiny preset, plus `extra`. */
export function rotationOptions(
  vaultPath: string,
  extra: Partial<RotationOptions> = {},
): RotationOptions {
  return {
    vaultPath,
    oldPassword: bytes(PW_A),
    newPassword: bytes(NEW_PASSWORD),
    openConfig: tiny,
    ...extra,
  };
}

/**
 * PW_A -> NEW_PASSWORD on the tiny preset for the table `vault` of a test
 * database (`url`, `password`), checkpoints in `<dir>/state`, plus `extra`.
 */
export function serverRotationOptions(
  db: { readonly url: string; readonly password: string },
  dir: string,
  extra: Partial<RotationOptions> = {},
): RotationOptions {
  return rotationOptions(db.url, {
    serverPassword: bytes(db.password),
    table: 'vault',
    workers: 2,
    checkpointDir: join(dir, 'state'),
    ...extra,
  });
}

export function manifestConfig(manifest: VaultManifest): Argon2Config {
  return {
    iterations: manifest.config.iterations,
    memoryKiB: manifest.config.memory_kib,
    parallelism: manifest.config.parallelism,
    ...(manifest.config.key_length === undefined ? {} : { keyLength: manifest.config.key_length }),
    ...(manifest.config.salt_size === undefined ? {} : { saltLength: manifest.config.salt_size }),
  };
}

/** What a rotation of `oldPassword` should do to a fixture, from its manifest. */
export function expectedCounts(
  manifest: VaultManifest,
  oldPassword: string,
  includeSoftDeleted = true,
) {
  const scanned = Object.values(manifest.records).filter(
    (record) => includeSoftDeleted || !record.soft_deleted,
  );
  const rotated = scanned.filter((record) => record.password === oldPassword);
  return {
    scanned: scanned.length,
    rotated: rotated.length,
    skipped: scanned.length - rotated.length,
    /** one per v2 record tested, one per record written */
    derivations: scanned.filter((record) => record.version === 'v2').length + rotated.length,
  };
}

/** A completed rotation of `oldPassword` with the counts the manifest gives, nothing failed. */
export function expectCompletedAsManifest(
  result: RotationResult,
  manifest: VaultManifest,
  oldPassword: string,
): void {
  const expected = expectedCounts(manifest, oldPassword);
  expect(result).toMatchObject({
    status: 'completed',
    scanned: expected.scanned,
    rotated: expected.rotated,
    skipped: expected.skipped,
    failed: 0,
  });
}

/**
 * Every record of the fixture: the old password's records (soft-deleted ones
 * only if included) are v2, open with the new password to the manifest's
 * plaintext and got a new updated_at; every other record is byte-identical.
 */
export async function expectFixtureRotated(
  dbPath: string,
  manifest: VaultManifest,
  options: {
    oldPassword: string;
    newPassword: string;
    includeSoftDeleted?: boolean;
    config?: Argon2Config;
    /** also check the old password no longer opens it (one more derivation per record) */
    checkOldFails?: boolean;
  },
): Promise<void> {
  const config = options.config ?? manifestConfig(manifest);
  const rows = readRows(dbPath, manifest.table);
  expect([...rows.keys()].sort()).toEqual(Object.keys(manifest.records).sort());
  for (const [id, record] of Object.entries(manifest.records)) {
    const row = rows.get(id)!;
    const shouldRotate =
      record.password === options.oldPassword &&
      ((options.includeSoftDeleted ?? true) || !record.soft_deleted);
    expect(row.vault_token, id).toBe(record.token);
    expect(row.created_at, id).toBe(record.created_at);
    expect(row.expires_at, id).toBe(record.expires_at);
    expect(row.soft_deleted_at, id).toBe(record.soft_deleted_at);
    if (!shouldRotate) {
      expect(sha256(row.vault_value), `${id} must be untouched`).toBe(record.value_sha256);
      expect(row.updated_at, id).toBe(record.updated_at);
      continue;
    }
    expect(row.vault_value.startsWith('v2:'), id).toBe(true);
    expect(row.updated_at, id).not.toBe(record.updated_at);
    const opened = await openStoredValue(row.vault_value, options.newPassword, config);
    expect(opened.ok, `${id} opens with the new password`).toBe(true);
    if (opened.ok) expect(sha256(opened.plaintext), id).toBe(record.plaintext_sha256);
    if (options.checkOldFails ?? true) {
      expect((await openStoredValue(row.vault_value, options.oldPassword, config)).ok, id).toBe(
        false,
      );
    }
  }
}
