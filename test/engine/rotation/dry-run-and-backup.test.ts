import { readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openVault, rotateVault } from '../../../src/engine/index.js';
import {
  copyFixture,
  fixturesDir,
  makeTempDir,
  readManifest,
  type TempDir,
} from '../../support/fixtures.js';
import { dumpSchema, dumpTable, sha256File } from '../../support/vault-builder.js';
import {
  NEW_PASSWORD,
  PW_A,
  expectFixtureRotated,
  expectedCounts,
  rotationOptions,
} from './support/rotation-checks.js';

const manifest = readManifest('tiny200');
const original = join(fixturesDir, 'tiny200.db');

const options = rotationOptions;

describe('dry run', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('counts what would rotate and leaves the file, and the folder, as they were', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const expected = expectedCounts(manifest, PW_A);
    const result = await rotateVault(options(db, { dryRun: true }));
    expect(result).toMatchObject({
      status: 'completed',
      dryRun: true,
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      backupPath: null,
      checkpointPath: null,
      // no re-encryption in a dry run: one derivation per v2 record tested only
      derivations: expected.derivations - expected.rotated,
    });
    expect(result.notes?.join(' ')).toMatch(/Dry run: nothing was written/);
    expect(sha256File(db)).toBe(hash);
    expect(readdirSync(dir.path).sort()).toEqual([basename(db), `${basename(db)}.manifest.json`]);
  });
});

describe('backup', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('is taken next to the vault before the first write, opens, and equals the original', async () => {
    const db = copyFixture('tiny200', dir.path);
    const now = new Date('2026-07-08T09:10:11Z');
    const result = await rotateVault(options(db, { now: () => now }));
    expect(result.backupPath).toBe(join(dirname(db), 'tiny200.backup-20260708-091011.db'));
    const backup = await openVault(result.backupPath!, { readOnly: true });
    try {
      expect(await backup.vaultTables()).toEqual(['vault']);
    } finally {
      await backup.close();
    }
    for (const table of ['vault', 'vault_meta']) {
      expect(dumpTable(result.backupPath!, table), table).toBe(dumpTable(original, table));
    }
    expect(dumpSchema(result.backupPath!)).toBe(dumpSchema(original));
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });

  it('goes to an explicit path, never over an existing file, and is skipped when turned off', async () => {
    const db = copyFixture('tiny200', dir.path);
    const taken = join(dir.path, 'taken.db');
    writeFileSync(taken, 'not to be overwritten');
    const hash = sha256File(db);
    await expect(rotateVault(options(db, { backupPath: taken }))).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining('already exists'),
    });
    expect(sha256File(db)).toBe(hash);

    const explicit = join(dir.path, 'before-rotation.db');
    const result = await rotateVault(options(db, { backupPath: explicit, batchSize: 1 }));
    expect(result).toMatchObject({ status: 'completed', backupPath: explicit });
    expect(dumpTable(explicit, 'vault')).toBe(dumpTable(original, 'vault'));
  });

  it('does not stall when every task in flight finishes while the backup is taken', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await rotateVault(
      options(db, {
        batchSize: 1,
        workers: 2,
        onProgress: (progress) => {
          // Hold the host thread so the workers finish everything in flight before the backup starts.
          if (progress.phase === 'backing-up')
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        },
      }),
    );
    expect(result).toMatchObject({
      status: 'completed',
      rotated: expectedCounts(manifest, PW_A).rotated,
    });
  });

  it('is not taken when off, nor when nothing opens', async () => {
    const db = copyFixture('tiny200', dir.path);
    const off = await rotateVault(options(db, { backup: false }));
    expect(off).toMatchObject({ status: 'completed', backupPath: null });
    // Now nothing is under pwA any more: nothing to write, so no backup either.
    // scanned anyway (its sample opens nothing, so by default it is refused before the scan)
    const again = await rotateVault(options(db, { scanAnyway: true }));
    expect(again).toMatchObject({ status: 'nothing-opened', backupPath: null, rotated: 0 });
    expect(readdirSync(dir.path).filter((name) => name.includes('.backup-'))).toEqual([]);
  });
});
