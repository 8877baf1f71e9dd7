import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  preflightRotation,
  rotateVault,
  verifyVault,
  type PreflightProgress,
  type VerifyProgress,
} from '../../../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../../support/fixtures.js';
import { sha256File } from '../../../support/vault-builder.js';
import {
  NEW_PASSWORD,
  PW_A,
  PW_B,
  bytes,
  expectedCounts,
  tiny,
} from '../support/rotation-checks.js';

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

  it('finds nothing with a wrong password, widens the sample, and refuses the scan', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await preflightRotation({
      vaultPath: db,
      oldPassword: bytes('wrong-password-0123456789'),
      openConfig: tiny,
      sampleSize: 30,
    });
    const v1Count = count((r) => r.version === 'v1');
    expect(result).toMatchObject({
      // 30, then a wider 64 v2 (and every v1 record: fewer than 64) before refusing
      v2: { sampled: 64, opened: 0 },
      v1: { sampled: v1Count, opened: 0 },
      opened: 0,
      // Nothing opens at all: a scan of every record would end the same way.
      canRotate: false,
      refusal: 'nothing-opened',
    });
    // no library preset opens anything with a wrong password
    expect(result.suggestedPreset).toBeUndefined();
  });

  it('reports its progress: tested records that add up to the sample, then done', async () => {
    const db = copyFixture('tiny200', dir.path);
    const events: PreflightProgress[] = [];
    const result = await preflightRotation({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      openConfig: tiny,
      progressIntervalMs: 0,
      onProgress: (progress) => events.push(progress),
    });
    expect(events[0]).toMatchObject({ phase: 'starting', sampled: 0 });
    const checking = events.filter((event) => event.phase === 'checking');
    // The phase change, the records queued (toSample known), then one per tested record (unthrottled).
    expect(checking.map((event) => event.sampled)).toEqual([
      0,
      ...Array.from({ length: result.sampled + 1 }, (_, index) => index),
    ]);
    expect(checking[1]?.toSample).toBe(result.sampled);
    for (const event of events) {
      expect(event.sampled).toBeLessThanOrEqual(event.toSample);
      expect(event.opened + event.malformed).toBeLessThanOrEqual(event.sampled);
    }
    expect(events.at(-1)).toMatchObject({
      phase: 'done',
      toSample: result.sampled,
      sampled: result.sampled,
      opened: result.opened,
      malformed: result.malformed,
    });
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

  it('reports progress in its own terms: counts that add up, every record, then done', async () => {
    const db = copyFixture('tiny200', dir.path);
    const events: VerifyProgress[] = [];
    const result = await verifyVault({
      vaultPath: db,
      password: bytes(PW_A),
      config: tiny,
      progressIntervalMs: 0,
      onProgress: (progress) => events.push(progress),
    });
    expect(events[0]).toMatchObject({ phase: 'starting', total: manifest.n, checked: 0 });
    for (const event of events) {
      expect(event.opened + event.notOpened + event.malformed).toBe(event.checked);
      expect(event.total).toBe(manifest.n);
      // Its own vocabulary: nothing of the rotation's shape leaks into it.
      expect(Object.keys(event).sort()).toEqual(
        [
          'checked',
          'elapsedMs',
          'etaMs',
          'malformed',
          'notOpened',
          'opened',
          'phase',
          'ratePerSecond',
          'total',
        ].sort(),
      );
    }
    // Unthrottled: one 'checking' event as the scan starts, then one per record.
    const checked = events.filter((event) => event.phase === 'checking').map((e) => e.checked);
    expect(checked).toEqual(Array.from({ length: manifest.n + 1 }, (_, index) => index));
    expect(events.at(-1)).toMatchObject({
      phase: 'done',
      checked: result.checked,
      opened: result.opened,
      notOpened: result.notOpened,
      malformed: result.malformed,
      etaMs: 0,
    });

    // Throttled (default 100 ms): far fewer events, the final one still exact.
    const throttled: VerifyProgress[] = [];
    await verifyVault({
      vaultPath: db,
      password: bytes(PW_A),
      config: tiny,
      onProgress: (progress) => throttled.push(progress),
    });
    expect(throttled.length).toBeLessThan(events.length);
    expect(throttled.at(-1)).toMatchObject({ phase: 'done', checked: manifest.n });
  });

  it('says it was cancelled in its last progress event', async () => {
    const db = copyFixture('tiny200', dir.path);
    const events: VerifyProgress[] = [];
    const result = await verifyVault({
      vaultPath: db,
      password: bytes(PW_A),
      config: tiny,
      signal: AbortSignal.abort(),
      onProgress: (progress) => events.push(progress),
    });
    expect(result.cancelled).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: 'cancelled', checked: 0 });
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
