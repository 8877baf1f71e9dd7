import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  rotateVault,
  unicodeNormalizationHint,
  type RotationOptions,
  type RotationProgress,
} from '../../../../src/engine/index.js';
import { NEW_PASSWORD_SAMPLE_SIZE } from '../../../../src/engine/rotation/checks/new-password-sample.js';
import { interpretResult } from '../../../../src/core/verdict.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../../support/fixtures.js';
import { buildVault, sha256File } from '../../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, bytes, rotationOptions, tiny } from '../support/rotation-checks.js';

const manifest = readManifest('tiny200');

describe('a rotation in which the old password opens nothing', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('is refused from its sample before any scan (wrong password), changing nothing', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const events: RotationProgress[] = [];
    const attempt = (extra: Partial<RotationOptions> = {}) =>
      rotateVault({
        vaultPath: db,
        oldPassword: bytes('not-the-password-0123456789'),
        newPassword: bytes(NEW_PASSWORD),
        openConfig: tiny,
        progressIntervalMs: 0,
        onProgress: (progress) => events.push(progress),
        ...extra,
      });
    await expect(attempt()).rejects.toMatchObject({
      code: 'NOTHING_OPENED',
      message: expect.stringMatching(
        /opened none of the \d+ sampled records .*Possible causes: \(1\) the old password is wrong.*other Argon2id settings.*already rotated.*--scan-anyway/s,
      ),
    });
    // No record was scanned: the run never reached its main pass.
    expect(events.map((event) => event.phase)).not.toContain('rotating');
    expect(events.every((event) => event.scanned === 0)).toBe(true);
    expect(sha256File(db)).toBe(hash);
    expect(readdirSync(dir.path).sort()).toEqual(['tiny200.db', 'tiny200.db.manifest.json']);

    // scanAnyway tests every record, and says so (wrong password) after the scan
    events.length = 0;
    const result = await attempt({ scanAnyway: true });
    expect(events.map((event) => event.phase)).toContain('rotating');
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
    const options = {
      vaultPath: vault.path,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: { iterations: 2, memoryKiB: 64, parallelism: 1 },
    };
    await expect(rotateVault(options)).rejects.toMatchObject({ code: 'NOTHING_OPENED' });
    const wrongConfig = await rotateVault({ ...options, scanAnyway: true });
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

    // Refused from the sample: the new password opens sampled records.
    await expect(rotateVault(options)).rejects.toMatchObject({
      code: 'ALREADY_ROTATED',
      message: expect.stringMatching(/already open with the new password.*already rotated/s),
    });
    expect(sha256File(db)).toBe(hash);
    const again = await rotateVault({ ...options, scanAnyway: true });
    expect(again).toMatchObject({ status: 'nothing-opened', rotated: 0, opened: 0 });
    const sample = again.newPasswordSample;
    expect(sample?.sampled).toBeGreaterThan(0);
    expect(sample?.sampled).toBeLessThanOrEqual(NEW_PASSWORD_SAMPLE_SIZE);
    // 150 of the 200 records are now under the new password: a sample of 8 with none is ~1e-5.
    expect(sample?.opened).toBeGreaterThan(0);
    // Every value is v2 now: one derivation per record scanned, one per record sampled.
    expect(again.derivations).toBe(again.scanned + (sample?.sampled ?? 0));
    expect(sha256File(db)).toBe(hash);

    // A dry run is refused the same way; scanned anyway, it writes nothing and never takes the sample.
    await expect(rotateVault({ ...options, dryRun: true })).rejects.toMatchObject({
      code: 'ALREADY_ROTATED',
    });
    const dry = await rotateVault({ ...options, dryRun: true, scanAnyway: true });
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
    // Passwords that are not this rotation's: the new one opens no sampled record, still exit 4
    // (refused before the scan, as without --resume).
    await expect(
      rotateVault({
        ...options,
        oldPassword: bytes('not-the-password-0123456789'),
        newPassword: bytes('another-new-password-0123'),
        resume: true,
      }),
    ).rejects.toMatchObject({ code: 'NOTHING_OPENED' });
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
    await expect(rotateVault(options)).rejects.toMatchObject({
      code: 'ALREADY_ROTATED',
      message: expect.stringContaining('3 of 3 sampled records already open'),
    });
    expect(await rotateVault({ ...options, scanAnyway: true })).toMatchObject({
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
      scanAnyway: true,
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
