import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preflightRotation, rotateVault, verifyVault } from '../../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { sha256File } from '../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, PW_B, bytes, expectedCounts, tiny } from './helpers.js';

const manifest = readManifest('tiny200');
const count = (predicate: (record: (typeof manifest.records)[string]) => boolean): number =>
  Object.values(manifest.records).filter(predicate).length;

describe('preflightRotation', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('tests the old password on a sample and estimates the job, changing nothing', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const small = await preflightRotation({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      openConfig: tiny,
    });
    const v1Count = count((r) => r.version === 'v1');
    // 16 v2 records and as many v1 records as there are up to 16, sampled apart
    expect(small).toMatchObject({
      table: 'vault',
      total: manifest.n,
      sampled: 16 + v1Count,
      v2: { sampled: 16, malformed: 0 },
      v1: { sampled: v1Count, opened: count((r) => r.version === 'v1' && r.password === PW_A) },
      malformed: 0,
      canRotate: true,
      cancelled: false,
    });
    expect(small.opened).toBeLessThanOrEqual(16 + v1Count);
    expect(small.estimatedSeconds).toBeGreaterThan(0);

    // A sample as large as the table is exact.
    const all = await preflightRotation({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      openConfig: tiny,
      sampleSize: manifest.n,
    });
    const expected = expectedCounts(manifest, PW_A);
    expect(all).toMatchObject({
      sampled: manifest.n,
      opened: expected.rotated,
      estimatedDerivations: expected.derivations,
    });
    expect(all.msPerDerivation).toBeGreaterThan(0);
    expect(sha256File(db)).toBe(hash);
  });

  it('finds nothing with a wrong password, and leaves the verdict to the run (which writes nothing)', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await preflightRotation({
      vaultPath: db,
      oldPassword: bytes('wrong-password-0123456789'),
      openConfig: tiny,
      sampleSize: 30,
    });
    expect(result).toMatchObject({
      v2: { sampled: 30, opened: 0 },
      v1: { opened: 0 },
      opened: 0,
      // Nothing opens at all: a wrong password or a rotated vault; the run itself ends nothing-opened.
      canRotate: true,
    });
    // no library preset opens anything with a wrong password
    expect(result.suggestedPreset).toBeUndefined();
  });
});

describe('verifyVault', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('counts the records each password opens, before and after a rotation', async () => {
    const db = copyFixture('tiny200', dir.path);
    const underA = count((r) => r.password === PW_A);
    const v1UnderA = count((r) => r.password === PW_A && r.version === 'v1');
    const before = await verifyVault({ vaultPath: db, password: bytes(PW_A), config: tiny });
    expect(before).toEqual({
      table: 'vault',
      checked: manifest.n,
      opened: underA,
      notOpened: manifest.n - underA,
      malformed: 0,
      openedV1: v1UnderA,
      cancelled: false,
    });

    await rotateVault({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
    });
    const afterNew = await verifyVault({
      vaultPath: db,
      password: bytes(NEW_PASSWORD),
      config: tiny,
    });
    expect(afterNew).toMatchObject({ opened: underA, openedV1: 0 });
    expect(await verifyVault({ vaultPath: db, password: bytes(PW_A), config: tiny })).toMatchObject(
      { opened: 0 },
    );
    const others = await verifyVault({
      vaultPath: db,
      password: bytes(PW_B),
      config: tiny,
      includeSoftDeleted: false,
    });
    expect(others).toMatchObject({
      checked: count((r) => !r.soft_deleted),
      opened: count((r) => r.password === PW_B && !r.soft_deleted),
    });
  });

  it('checks a sample when asked, and stops on the signal', async () => {
    const db = copyFixture('tiny200', dir.path);
    const sample = await verifyVault({
      vaultPath: db,
      password: bytes(PW_A),
      config: tiny,
      sampleSize: 25,
    });
    expect(sample.checked).toBe(25);
    const cancelled = await verifyVault({
      vaultPath: db,
      password: bytes(PW_A),
      config: tiny,
      signal: AbortSignal.abort(),
    });
    expect(cancelled).toMatchObject({ checked: 0, cancelled: true });
  });

  it('rejects an empty password', async () => {
    const db = copyFixture('tiny200', dir.path);
    await expect(
      verifyVault({ vaultPath: db, password: new Uint8Array(), config: tiny }),
    ).rejects.toMatchObject({
      code: 'PASSWORD_EMPTY',
    });
  });
});
