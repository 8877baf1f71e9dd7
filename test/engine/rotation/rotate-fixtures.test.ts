import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectedCounts,
  tiny,
} from './support/rotation-checks.js';

const manifest = readManifest('tiny200');

async function vsrefVerify(db: string, softDeleted: 'rotated' | 'unchanged'): Promise<void> {
  await expectVsrefVerifies(db, {
    config: 'tiny',
    expect: `${PW_A}=>${NEW_PASSWORD}`,
    softDeleted,
  });
}

describe('rotateVault on the tiny200 fixture', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('rotates every pwA record (v1 upgraded, soft-deleted included) and leaves the rest byte-identical', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await rotateVault({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      workers: 2,
    });
    const expected = expectedCounts(manifest, PW_A);
    expect(result).toMatchObject({
      status: 'completed',
      table: 'vault',
      dryRun: false,
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      failed: 0,
      failures: [],
      opened: expected.rotated,
      checkpointPath: null,
      derivations: expected.derivations,
      derivationsDiscarded: 0,
    });
    // coverage proof: every row there at the start was visited exactly once
    expect(result.coverage).toMatchObject({
      rowsAtStart: expected.scanned,
      visited: expected.scanned,
      foreignWrites: false,
    });
    expect(result.backupPath).not.toBeNull();
    expect(existsSync(result.backupPath!)).toBe(true);
    expect(existsSync(`${db}.rotation-checkpoint.json`)).toBe(false);
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
    await vsrefVerify(db, 'rotated');
  });

  it('leaves soft-deleted records alone when asked, and says so', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await rotateVault({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      includeSoftDeleted: false,
      backup: false,
    });
    const expected = expectedCounts(manifest, PW_A, false);
    expect(result).toMatchObject({
      status: 'completed',
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      backupPath: null,
      derivations: expected.derivations,
    });
    expect(result.coverage).toMatchObject({
      rowsAtStart: expected.scanned,
      visited: expected.scanned,
      foreignWrites: false,
    });
    expect(result.notes?.join(' ')).toMatch(/Soft-deleted records were left/);
    await expectFixtureRotated(db, manifest, {
      oldPassword: PW_A,
      newPassword: NEW_PASSWORD,
      includeSoftDeleted: false,
    });
    await vsrefVerify(db, 'unchanged');
  });

  it('gives the same result through the sql.js driver and the wasm backend', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await rotateVault({
      vaultPath: db,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      driver: 'sql.js',
      kdfBackend: 'wasm',
      workers: 1,
    });
    expect(result).toMatchObject({
      status: 'completed',
      rotated: expectedCounts(manifest, PW_A).rotated,
      kdfBackend: 'wasm',
    });
    const all = expectedCounts(manifest, PW_A).scanned;
    expect(result.coverage).toMatchObject({ rowsAtStart: all, visited: all, foreignWrites: false });
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
    await vsrefVerify(db, 'rotated');
  });
});
