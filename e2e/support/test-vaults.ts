/**
 * Vaults for the browser end-to-end tests, made with the engine's codec
 * (test/support/vault-builder.ts): big and slow enough (lightweight preset)
 * that a cancel lands long before the end on any machine, with a second
 * password whose records must stay untouched.
 */
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import {
  buildVault,
  recordMix,
  type BuiltRecord,
  type BuiltVault,
} from '../../test/support/vault-builder.js';

export const PASSWORD_A = 'Application-password-A-2024';
export const PASSWORD_B = 'Other-service-password-B-2024';
export const NEW_PASSWORD = 'Rotated-password-N-2025!';

export const BIG_VAULT_RECORDS = 160;
export const LIGHTWEIGHT = ARGON2_PRESETS.lightweight;

export interface ExpectedCounts {
  records: number;
  softDeleted: number;
  expired: number;
  v1: number;
  underA: number;
  underB: number;
}

export function countsOf(records: readonly BuiltRecord[]): ExpectedCounts {
  return {
    records: records.length,
    softDeleted: records.filter((record) => record.softDeleted).length,
    expired: records.filter((record) => record.expired).length,
    v1: records.filter((record) => record.version === 'v1').length,
    underA: records.filter((record) => record.password === PASSWORD_A).length,
    underB: records.filter((record) => record.password === PASSWORD_B).length,
  };
}

/** 160 records, lightweight Argon2id: 85 % under A (a few v1, soft-deleted, expired), 15 % under B. */
export function buildBigVault(path: string): Promise<BuiltVault> {
  return buildVault(path, {
    config: LIGHTWEIGHT,
    records: recordMix(BIG_VAULT_RECORDS, [
      { password: PASSWORD_A, weight: 14 },
      { password: PASSWORD_A, softDeleted: true },
      { password: PASSWORD_A, expired: true },
      { password: PASSWORD_A, version: 'v1' },
      { password: PASSWORD_B, weight: 3 },
    ]),
  });
}
