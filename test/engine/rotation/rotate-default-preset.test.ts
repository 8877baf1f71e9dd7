/** The real thing: the library's default Argon2id preset (64 MiB), native backend. Slow on purpose. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, rotateVault } from '../../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectedCounts,
} from './support/rotation-checks.js';

const manifest = readManifest('default60');

describe('rotateVault with the default preset', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('rotates default60 on the native backend; the reference verifies it', async () => {
    const db = copyFixture('default60', dir.path);
    const result = await rotateVault({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: ARGON2_PRESETS.default,
      kdfBackend: 'native',
      backup: false,
    });
    const expected = expectedCounts(manifest, PW_A);
    expect(result).toMatchObject({
      status: 'completed',
      kdfBackend: 'native',
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      failed: 0,
      derivations: expected.derivations,
    });
    expect(result.coverage).toMatchObject({
      rowsAtStart: expected.scanned,
      visited: expected.scanned,
      foreignWrites: false,
    });
    await expectFixtureRotated(db, manifest, {
      oldPassword: PW_A,
      newPassword: NEW_PASSWORD,
      config: ARGON2_PRESETS.default,
      checkOldFails: false,
    });
    await expectVsrefVerifies(db, {
      config: 'default',
      expect: `${PW_A}=>${NEW_PASSWORD}`,
      softDeleted: 'rotated',
    });
  }, 300_000);
});
