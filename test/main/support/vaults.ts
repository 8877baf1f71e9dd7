/**
 * Vault copies for the app-shell tests and the checks run on them after a
 * rotation was finished, cancelled or cut off: nothing lost, nothing torn.
 */
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { Argon2Config } from '../../../src/core/argon2.js';
import type { HostCommand, HostRequest } from '../../../src/main/host/engine-host-protocol.js';
import type { RotationRequest } from '../../../src/shared/ipc-contract.js';
import {
  copyFixture,
  readManifest,
  type ManifestRecord,
  type VaultManifest,
} from '../../support/fixtures.js';
import { FIXTURE_PASSWORD_A } from '../../support/passwords.js';
import { integrityCheck, openStoredValue, readRows, sha256 } from '../../support/vault-builder.js';

/** tiny200's main password (140 v2 + 10 v1 records) and the one we rotate to. */
export const OLD_PASSWORD = FIXTURE_PASSWORD_A;
export const NEW_PASSWORD = 'pwNew-rotated-0123456789';

export interface TestVault {
  readonly path: string;
  readonly table: string;
  readonly config: Argon2Config;
  readonly manifest: VaultManifest;
  readonly records: number;
  /** records under OLD_PASSWORD, i.e. what a full rotation rotates */
  readonly underOld: number;
}

/**
 * A copy of tiny200, its rows repeated `copies` times (new ids and tokens,
 * same values) so that a rotation takes long enough to be stopped midway.
 */
export function makeVault(dir: string, copies = 1): TestVault {
  const path = copyFixture('tiny200', dir);
  const manifest = readManifest('tiny200');
  const table = manifest.table;
  if (copies > 1) {
    const db = new Database(path);
    try {
      db.transaction(() => {
        for (let copy = 1; copy < copies; copy++) {
          db.prepare(
            `INSERT INTO \`${table}\` (id, vault_token, vault_value, created_at, updated_at, expires_at, soft_deleted_at)
             SELECT id || '-' || @copy, vault_token || '-' || @copy, vault_value, created_at, updated_at, expires_at, soft_deleted_at
             FROM \`${table}\` WHERE id NOT LIKE '%-%'`,
          ).run({ copy });
        }
      })();
    } finally {
      db.close();
    }
  }
  const perCopy = Object.values(manifest.records).filter(
    (record) => record.password === OLD_PASSWORD,
  ).length;
  return {
    path,
    table,
    manifest,
    config: {
      iterations: manifest.config.iterations,
      memoryKiB: manifest.config.memory_kib,
      parallelism: manifest.config.parallelism,
    },
    records: manifest.n * copies,
    underOld: perCopy * copies,
  };
}

function originalOf(vault: TestVault, id: string): ManifestRecord {
  const record = vault.manifest.records[id.split('-')[0] ?? id];
  if (!record) throw new Error(`row ${id} is not from the fixture`);
  return record;
}

export interface ConsistencyReport {
  readonly underOld: number;
  readonly underNew: number;
}

/**
 * The vault after any stop: integrity ok, every row present once, every
 * record of the old password opens with the old or the new one to its
 * original plaintext, every other record byte-identical.
 */
export async function expectConsistentWithFixture(vault: TestVault): Promise<ConsistencyReport> {
  expect(integrityCheck(vault.path)).toBe('ok');
  const rows = readRows(vault.path, vault.table);
  expect(rows.size).toBe(vault.records);
  let underOld = 0;
  let underNew = 0;
  for (const row of rows.values()) {
    const original = originalOf(vault, row.id);
    expect(row.vault_token.split('-')[0]).toBe(original.token);
    expect(row.created_at).toBe(original.created_at);
    expect(row.expires_at).toBe(original.expires_at);
    expect(row.soft_deleted_at).toBe(original.soft_deleted_at);
    if (original.password !== OLD_PASSWORD) {
      expect(sha256(row.vault_value), `record ${row.id} must be untouched`).toBe(
        original.value_sha256,
      );
      continue;
    }
    const withOld = await openStoredValue(row.vault_value, OLD_PASSWORD, vault.config);
    const opened = withOld.ok
      ? withOld
      : await openStoredValue(row.vault_value, NEW_PASSWORD, vault.config);
    expect(opened.ok, `record ${row.id} opens with neither password`).toBe(true);
    if (!opened.ok) continue;
    expect(sha256(opened.plaintext)).toBe(original.plaintext_sha256);
    if (withOld.ok) underOld++;
    else underNew++;
  }
  return { underOld, underNew };
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A rotation of `table` from OLD_PASSWORD to NEW_PASSWORD with the tiny preset, backup on. */
export function tinyRotation(
  handle: string,
  table: string,
  overrides: Partial<RotationRequest> = {},
): RotationRequest {
  return {
    vault: handle,
    table,
    oldPassword: OLD_PASSWORD,
    newPassword: NEW_PASSWORD,
    crypto: { preset: 'tiny' },
    includeSoftDeleted: true,
    backup: true,
    dryRun: false,
    resume: false,
    ...overrides,
  };
}

type HostRotateOptions = Extract<HostRequest, { type: 'rotate' }>['options'];

/**
 * An engine-host command rotating `vault` from OLD_PASSWORD to NEW_PASSWORD (no backup,
 * every progress event) with `options` on top, and the password buffers to transfer.
 */
export function rotateCommand(
  vault: TestVault,
  options: Partial<HostRotateOptions> = {},
): { command: HostCommand; transfer: ArrayBuffer[] } {
  const oldPassword = new TextEncoder().encode(OLD_PASSWORD);
  const newPassword = new TextEncoder().encode(NEW_PASSWORD);
  return {
    command: {
      type: 'rotate',
      options: {
        vaultPath: vault.path,
        table: vault.table,
        oldPassword,
        newPassword,
        openConfig: vault.config,
        backup: false,
        progressIntervalMs: 0,
        ...options,
      },
    },
    transfer: [oldPassword.buffer, newPassword.buffer],
  };
}
