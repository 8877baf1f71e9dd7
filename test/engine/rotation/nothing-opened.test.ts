import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  rotateVault,
  unicodeNormalizationHint,
  type RotationOptions,
} from '../../../src/engine/index.js';
import { NEW_PASSWORD_SAMPLE_SIZE } from '../../../src/engine/rotation/new-password-sample.js';
import { interpretResult } from '../../../src/core/verdict.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { buildVault, sha256File } from '../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, bytes, rotationOptions, tiny } from './helpers.js';

const manifest = readManifest('tiny200');

describe('a rotation in which the old password opens nothing', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('says so (wrong password) and changes nothing', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const result = await rotateVault({
      vaultPath: db,
      oldPassword: bytes('not-the-password-0123456789'),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
    });
    expect(result).toMatchObject({
      status: 'nothing-opened',
      scanned: manifest.n,
      rotated: 0,
      opened: 0,
      skipped: manifest.n,
      backupPath: null,
      checkpointPath: null,
      // the new password opens none of the few records tested: no sign of an earlier rotation
      newPasswordSample: { sampled: NEW_PASSWORD_SAMPLE_SIZE, opened: 0 },
    });
    expect(sha256File(db)).toBe(hash);
  });

  it('says so with the right password but the wrong Argon2id config', async () => {
    const vault = await buildVault(join(dir.path, 'v2.db'), {
      records: [{ password: PW_A }, { password: PW_A }, { password: PW_A, softDeleted: true }],
    });
    const hash = sha256File(vault.path);
    const wrongConfig = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: { iterations: 2, memoryKiB: 64, parallelism: 1 },
    });
    // 3 tested with the old password, then the same 3 (the whole table) with the new one
    expect(wrongConfig).toMatchObject({
      status: 'nothing-opened',
      skipped: 3,
      derivations: 6,
      newPasswordSample: { sampled: 3, opened: 0 },
    });
    expect(sha256File(vault.path)).toBe(hash);
  });

  it('notices a vault that is already rotated (same rotation run twice)', async () => {
    const db = copyFixture('tiny200', dir.path);
    const options = rotationOptions(db, { backup: false });
    const first = await rotateVault(options);
    expect(first.status).toBe('completed');
    expect(first.newPasswordSample).toBeUndefined();
    const hash = sha256File(db);

    const again = await rotateVault(options);
    expect(again).toMatchObject({ status: 'nothing-opened', rotated: 0, opened: 0 });
    const sample = again.newPasswordSample;
    expect(sample?.sampled).toBeGreaterThan(0);
    expect(sample?.sampled).toBeLessThanOrEqual(NEW_PASSWORD_SAMPLE_SIZE);
    // 150 of the 200 records are now under the new password: a sample of 8 with none is ~1e-5.
    expect(sample?.opened).toBeGreaterThan(0);
    // Every value is v2 now: one derivation per record scanned, one per record sampled.
    expect(again.derivations).toBe(again.scanned + (sample?.sampled ?? 0));
    expect(sha256File(db)).toBe(hash);

    // A dry run writes nothing and so never takes the sample.
    const dry = await rotateVault({ ...options, dryRun: true });
    expect(dry.status).toBe('nothing-opened');
    expect(dry.newPasswordSample).toBeUndefined();
  });

  it('a resume after a rotation that completed (its exit not seen): completed, already', async () => {
    const db = copyFixture('tiny200', dir.path);
    const options = rotationOptions(db, { backup: false });
    expect(await rotateVault(options)).toMatchObject({ status: 'completed', checkpointPath: null });
    const hash = sha256File(db);
    // Before: "nothing opened" (exit 4), so "repeat --resume until exit 0" never ended.
    const resumed = await rotateVault({ ...options, resume: true });
    expect(resumed).toMatchObject({
      status: 'completed',
      rotated: 0,
      opened: 0,
      scanned: manifest.n,
    });
    expect(resumed.newPasswordSample?.opened).toBeGreaterThan(0);
    expect(resumed.notes).toContainEqual(expect.stringMatching(/^Already completed/));
    expect(interpretResult(resumed)).toMatchObject({
      kind: 'already-rotated',
      tone: 'success',
      exitClass: 'ok',
    });
    expect(sha256File(db)).toBe(hash);
    // Passwords that are not this rotation's: the new one opens no sampled record, still exit 4.
    const wrong = await rotateVault({
      ...options,
      oldPassword: bytes('not-the-password-0123456789'),
      newPassword: bytes('another-new-password-0123'),
      resume: true,
    });
    expect(wrong.status).toBe('nothing-opened');
  });

  it('tests the new password with the write config', async () => {
    const openConfig = { iterations: 1, memoryKiB: 64, parallelism: 1 };
    const writeConfig = { iterations: 2, memoryKiB: 64, parallelism: 1 };
    const vault = await buildVault(join(dir.path, 'configs.db'), {
      config: openConfig,
      records: [{ password: PW_A }, { password: PW_A }, { password: PW_A }],
    });
    const options = {
      vaultPath: vault.path,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig,
      writeConfig,
      backup: false,
    };
    expect(await rotateVault(options)).toMatchObject({ status: 'completed', rotated: 3 });
    // Every value is now sealed with writeConfig: with openConfig none would open.
    expect(await rotateVault(options)).toMatchObject({
      status: 'nothing-opened',
      newPasswordSample: { sampled: 3, opened: 3 },
    });
  });

  it('refuses settings under which v1 records open but no v2 record does (file unchanged)', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const wrong = { iterations: 2, memoryKiB: 64, parallelism: 1 };
    const attempt = (extra: Partial<RotationOptions> = {}) =>
      rotateVault({
        vaultPath: db,
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        openConfig: wrong,
        backup: false,
        ...extra,
      });
    // Before: "completed", only the v1 records rotated, every v2 record left under the old password.
    await expect(attempt()).rejects.toMatchObject({
      code: 'WRONG_ARGON2_CONFIG',
      message: expect.stringMatching(/opened none of the \d+ sampled v2 records.*legacy v1/s),
    });
    expect(sha256File(db)).toBe(hash);
    expect(readdirSync(dir.path).sort()).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);

    // Someone sure the old password protects only v1 records here can skip the check.
    const v1UnderA = Object.values(manifest.records).filter(
      (r) => r.version === 'v1' && r.password === PW_A,
    );
    const result = await attempt({ skipConfigCheck: true });
    expect(result).toMatchObject({ status: 'completed', rotated: v1UnderA.length });
  });

  it('explains a Unicode spelling mismatch (NFC vault, NFD password)', async () => {
    const nfc = 'Crème-brûlée-secret-2024'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    const vault = await buildVault(join(dir.path, 'unicode.db'), {
      records: [{ password: nfc }, { password: nfc }, { password: nfc, version: 'v1' }],
    });
    const result = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(nfd),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
    });
    expect(result).toMatchObject({ status: 'nothing-opened', skipped: 3 });
    expect(unicodeNormalizationHint(bytes(nfd))).toMatch(/decomposed \(NFD\) form/);
    const fixed = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(nfc),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      backup: false,
    });
    expect(fixed).toMatchObject({ status: 'completed', rotated: 3 });
  });

  it('is not reported for a vault holding only malformed values', async () => {
    const vault = await buildVault(join(dir.path, 'junk.db'), {
      records: [{ rawValue: 'v2:junk' }, { rawValue: '' }],
    });
    const result = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
    });
    expect(result).toMatchObject({
      status: 'completed',
      failed: 2,
      skipped: 0,
      rotated: 0,
      derivations: 0,
    });
  });
});
