/**
 * Argon2id settings that cannot silently half-work: v2 and v1 records sampled
 * apart, a check that refuses when no v2 record opens whatever v1 records do,
 * and preset detection on real library presets.
 */
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../../../src/core/argon2.js';
import { isEngineError } from '../../../../src/engine/errors.js';
import { recordScope } from '../../../../src/engine/rotation/job/record-scope.js';
import {
  assertConfigOpensV2,
  CryptoPool,
  detectPreset,
  openVault,
  preflightRotation,
  sampleOldPassword,
  type PreflightProgress,
  type VaultStore,
} from '../../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import {
  buildVault,
  recordMix,
  sha256File,
  type BuiltVault,
} from '../../../support/vault-builder.js';
import { bytes, tiny } from '../support/rotation-checks.js';

const OLD = 'Old-Password-of-mixed-vault';
const OTHER = 'Other-Password-of-the-vault';
/** Cheap, and not the vault's (tiny): the "wrong preset" of these tests. */
const WRONG: Argon2Config = { iterations: 1, memoryKiB: 128, parallelism: 1 };
const RAW = ['', 'V2:has-a-colon', 'v2:AAAA', 'not base64!'];

/** 42 v2 + 8 v1 records (about the share of legacy v1), plus values that are neither. */
function mixedRecords() {
  const records = recordMix(50, [
    { password: OLD, weight: 3 },
    { password: OLD, version: 'v1' },
    { password: OTHER },
    { password: OLD, softDeleted: true },
  ]);
  return [...records, ...RAW.map((rawValue) => ({ rawValue }))];
}

async function withPool<T>(
  config: Argon2Config,
  password: string,
  use: (pool: CryptoPool) => Promise<T>,
): Promise<T> {
  const pool = await CryptoPool.start({
    size: 2,
    passwords: [bytes(password)],
    openConfig: config,
  });
  try {
    return await use(pool);
  } finally {
    await pool.close();
  }
}

describe('sampling v2 and v1 records apart', () => {
  let dir: TempDir;
  let vault: BuiltVault;
  beforeAll(async () => {
    dir = makeTempDir();
    vault = await buildVault(join(dir.path, 'mixed.db'), { records: mixedRecords() });
  });
  afterAll(() => dir.dispose());

  for (const driver of ['better-sqlite3', 'sql.js'] as const) {
    it(`sampleRecords keeps one value kind, as info() counts them (${driver})`, async () => {
      const store = await openVault(vault.path, { driver, readOnly: true });
      try {
        const info = (await store.info()).tables.find((table) => table.name === 'vault')!;
        const v2 = await store.sampleRecords('vault', 1000, { valueKind: 'v2' });
        const v1 = await store.sampleRecords('vault', 1000, { valueKind: 'v1' });
        expect(v2.length).toBe(info.v2);
        expect(v1.length).toBe(info.v1);
        expect(v2.every((record) => record.value.startsWith('v2:'))).toBe(true);
        // 'v2:AAAA' is v2 (malformed); '' and values with characters outside base64url are neither
        expect(v2.map((record) => record.value)).toContain('v2:AAAA');
        const v1Values = new Set(
          vault.records.filter((r) => r.version === 'v1').map((r) => r.value),
        );
        expect(v1.every((record) => v1Values.has(record.value))).toBe(true);
        expect(v1.length).toBe(v1Values.size);
        // the filters combine with the soft-deleted one, and the sample size still applies
        const live = await store.sampleRecords('vault', 1000, {
          valueKind: 'v2',
          includeSoftDeleted: false,
        });
        expect(live.length).toBe(info.v2 - vault.records.filter((r) => r.softDeleted).length);
        expect(await store.sampleRecords('vault', 3, { valueKind: 'v1' })).toHaveLength(3);
      } finally {
        await store.close();
      }
    });
  }

  async function sampleWith(config: Argon2Config) {
    const store: VaultStore = await openVault(vault.path, { readOnly: true });
    try {
      return await withPool(config, OLD, (pool) =>
        sampleOldPassword({
          store,
          scope: recordScope('vault', {}, new Date()),
          pool,
          v2SampleSize: 12,
          v1SampleSize: 6,
        }),
      );
    } finally {
      await store.close();
    }
  }

  it('with the wrong preset: v1 records open, no v2 record does, and the check refuses', async () => {
    const sample = await sampleWith(WRONG);
    expect(sample.v2).toEqual({ sampled: 12, opened: 0, malformed: expect.any(Number) });
    expect(sample.v1).toEqual({ sampled: 6, opened: 6, malformed: 0 });
    expect(sample.v2Records).toHaveLength(12);
    expect(sample.cancelled).toBe(false);
    let thrown: unknown;
    try {
      assertConfigOpensV2(sample, { config: WRONG, cryptoOption: '--crypto' });
    } catch (error) {
      thrown = error;
    }
    expect(isEngineError(thrown) && thrown.code).toBe('WRONG_ARGON2_CONFIG');
    const message = (thrown as Error).message;
    expect(message).toContain('none of the');
    expect(message).toContain('t=1, m=128 KiB, p=1');
    expect(message).toContain('opened 6 of 6 sampled legacy v1 records');
    expect(message).toContain('nothing was changed');
    expect(message).toContain('--crypto');
  });

  it('with the right preset: v2 records open and the check passes', async () => {
    const sample = await sampleWith(tiny);
    expect(sample.v2.sampled).toBe(12);
    expect(sample.v2.opened).toBeGreaterThan(0);
    expect(sample.v1.opened).toBe(6);
    expect(() => assertConfigOpensV2(sample, { config: tiny })).not.toThrow();
  });

  it('passes a table without v2 records, and one whose sampled v2 values are all malformed', () => {
    const none = { sampled: 0, opened: 0, malformed: 0 };
    const v1 = { sampled: 3, opened: 3, malformed: 0 };
    expect(() => assertConfigOpensV2({ v2: none, v1 }, { config: tiny })).not.toThrow();
    const allMalformed = { sampled: 2, opened: 0, malformed: 2 };
    expect(() => assertConfigOpensV2({ v2: allMalformed, v1 }, { config: tiny })).not.toThrow();
    // ... but one testable v2 record that does not open is enough to refuse, even with no v1 record
    const closed = { sampled: 3, opened: 0, malformed: 2 };
    expect(() => assertConfigOpensV2({ v2: closed, v1: none }, { config: tiny })).toThrow(
      /password is wrong, or the Argon2id settings/,
    );
  });

  it('preflightRotation reports the split and refuses the wrong preset, changing nothing', async () => {
    const hash = sha256File(vault.path);
    const wrong = await preflightRotation({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      openConfig: WRONG,
      sampleSize: 8,
      workers: 2,
    });
    // v1 opens, the first 8 v2 do not: the sample is widened (up to 64 v2) before refusing
    const v2InVault = vault.records.filter((r) => r.value.startsWith('v2:')).length;
    expect(wrong).toMatchObject({
      canRotate: false,
      v2: { sampled: Math.min(64, v2InVault), opened: 0 },
      v1: { sampled: 8, opened: 8, malformed: 0 },
      sampled: Math.min(64, v2InVault) + 8,
      opened: 8,
      cancelled: false,
    });
    // tiny is no library preset: the detection finds none
    expect(wrong.suggestedPreset).toBeUndefined();

    const right = await preflightRotation({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      openConfig: tiny,
      sampleSize: 100,
      workers: 2,
    });
    const v2Count = vault.records.filter((r) => r.value.startsWith('v2:')).length;
    const v2Opening = vault.records.filter((r) => r.version === 'v2' && r.password === OLD).length;
    const v1Count = vault.records.filter((r) => r.version === 'v1').length;
    expect(right).toMatchObject({
      canRotate: true,
      v2: { sampled: v2Count, opened: v2Opening, malformed: 1 },
      v1: { sampled: v1Count, opened: v1Count },
      // one test per testable v2 record, one write per record that opens
      estimatedDerivations: v2Count - 1 + v2Opening + v1Count,
    });
    expect(right.suggestedPreset).toBeUndefined();
    expect(sha256File(vault.path)).toBe(hash);
  });
});

describe('detecting the library preset a vault uses', () => {
  let dir: TempDir;
  afterEach(() => dir.dispose());

  it('names lightweight for v2 records written with it, and the pre-flight suggests it', async () => {
    dir = makeTempDir();
    const vault = await buildVault(join(dir.path, 'light.db'), {
      config: ARGON2_PRESETS.lightweight,
      records: [
        { password: OLD },
        { password: OLD },
        { password: OTHER },
        { password: OLD, version: 'v1' },
      ],
    });
    const hash = sha256File(vault.path);
    const result = await preflightRotation({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      openConfig: tiny,
      workers: 2,
    });
    expect(result).toMatchObject({
      canRotate: false,
      suggestedPreset: 'lightweight',
      v2: { sampled: 3, opened: 0 },
      v1: { sampled: 1, opened: 1 },
    });
    expect(sha256File(vault.path)).toBe(hash);
  });

  it('refuses a vault with custom settings (no preset opens it), the bar moving with each trial', async () => {
    dir = makeTempDir();
    const custom: Argon2Config = { iterations: 2, memoryKiB: 256, parallelism: 1 };
    const vault = await buildVault(join(dir.path, 'custom.db'), {
      config: custom,
      records: Array.from({ length: 40 }, () => ({ password: OLD })),
    });
    const hash = sha256File(vault.path);
    const events: PreflightProgress[] = [];
    const result = await preflightRotation({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      newPassword: bytes(OTHER),
      openConfig: tiny,
      workers: 2,
      progressIntervalMs: 0,
      onProgress: (progress) => events.push(progress),
    });
    expect(result).toMatchObject({
      canRotate: false,
      refusal: 'nothing-opened',
      // 16, then all 40 (fewer than the wider 64): every record, none opens
      v2: { sampled: 40, opened: 0 },
      newPasswordSample: { sampled: 8, opened: 0 },
    });
    expect(result.suggestedPreset).toBeUndefined();
    // Each step reports its own work: the new password on 8 records, then 4 records x 3 presets.
    const stepsOf = (phase: PreflightProgress['phase']) =>
      events
        .filter((event) => event.phase === phase)
        .map((event) => [event.stepDone, event.stepTotal]);
    expect(stepsOf('testing-new-password')).toEqual(
      Array.from({ length: 9 }, (_, done) => [done, 8]),
    );
    expect(stepsOf('detecting-preset')).toEqual(
      Array.from({ length: 13 }, (_, done) => [done, 12]),
    );
    expect(sha256File(vault.path)).toBe(hash);
  });

  it('tries presets in turn, skips the one in use, and stops on abort', async () => {
    dir = makeTempDir();
    const vault = await buildVault(join(dir.path, 'default.db'), {
      config: ARGON2_PRESETS.default,
      records: [{ password: OTHER }, { password: OLD }],
    });
    const store = await openVault(vault.path, { readOnly: true });
    const records = await store.sampleRecords('vault', 10, { valueKind: 'v2' });
    await store.close();
    const base = { records, password: bytes(OLD), workers: 2 };

    // lightweight (tried first) opens nothing; default opens the OLD record
    const found = await detectPreset({ ...base, inUse: tiny });
    expect(found.preset).toBe('default');
    expect(found.backend).not.toBeNull();

    // the preset in use is not tried again
    const skipped = await detectPreset({
      ...base,
      inUse: ARGON2_PRESETS.default,
      presets: ['lightweight', 'default'],
    });
    expect(skipped.preset).toBeNull();

    // a wrong password opens nothing under any preset
    const wrong = await detectPreset({
      ...base,
      password: bytes('not-the-password-0123456789'),
      inUse: tiny,
      presets: ['lightweight', 'default'],
    });
    expect(wrong.preset).toBeNull();

    const aborted = await detectPreset({ ...base, inUse: tiny, signal: AbortSignal.abort() });
    expect(aborted).toEqual({ preset: null, backend: null });
  });
});
