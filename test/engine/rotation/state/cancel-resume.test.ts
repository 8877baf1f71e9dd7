import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ARGON2_PRESETS,
  checkpointPathFor,
  readCheckpoint,
  rotateVault,
  type RotationOptions,
} from '../../../../src/engine/index.js';
import {
  copyFixture,
  fixturesDir,
  makeTempDir,
  readManifest,
  type TempDir,
} from '../../../support/fixtures.js';
import {
  atOrBeforeCursor,
  buildVault,
  dumpTable,
  readRows,
  recordMix,
  rowidsById,
  sha256File,
} from '../../../support/vault-builder.js';
import {
  NEW_PASSWORD,
  PW_A,
  PW_B,
  expectFixtureRotated,
  expectedCounts,
  rotationOptions,
} from '../support/rotation-checks.js';

const manifest = readManifest('tiny200');

function options(vaultPath: string, extra: Partial<RotationOptions> = {}): RotationOptions {
  return rotationOptions(vaultPath, { workers: 2, batchSize: 16, ...extra });
}

/** Rotation cancelled from its own progress events once `after` records were scanned. */
async function rotateAndCancel(
  vaultPath: string,
  after: number,
  extra: Partial<RotationOptions> = {},
) {
  const controller = new AbortController();
  const result = await rotateVault(
    options(vaultPath, {
      signal: controller.signal,
      progressIntervalMs: 0,
      onProgress: (progress) => {
        if (progress.scanned >= after) controller.abort();
      },
      ...extra,
    }),
  );
  return { result, signal: controller.signal };
}

describe('cancel and resume', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('cancels cleanly, then resumes to the same end state without repeating work', async () => {
    const expected = expectedCounts(manifest, PW_A);
    const db = copyFixture('tiny200', dir.path);
    const { result: first, signal } = await rotateAndCancel(db, 60);

    expect(first.status).toBe('cancelled');
    expect(first.scanned).toBeGreaterThanOrEqual(60);
    expect(first.scanned).toBeLessThan(expected.scanned);
    expect(first.checkpointPath).toBe(checkpointPathFor(db));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);

    // The checkpoint: contiguous prefix done, counts equal the result, no secret inside.
    const checkpoint = readCheckpoint(first.checkpointPath!)!;
    expect(checkpoint).toMatchObject({
      table: 'vault',
      includeSoftDeleted: true,
      backupPath: first.backupPath,
      counts: {
        scanned: first.scanned,
        rotated: first.rotated,
        skipped: first.skipped,
        failed: first.failed,
      },
    });
    // The cursor is the rowid of the last record done: records are visited in rowid order.
    const rowidOf = rowidsById(db);
    const idsInRowidOrder = [...rowidOf.keys()];
    expect(checkpoint.keyKind).toBe('rowid');
    expect(checkpoint.cursor).toBe(String(rowidOf.get(idsInRowidOrder[first.scanned - 1]!)));
    const checkpointText = readFileSync(first.checkpointPath!, 'utf8');
    for (const secret of [PW_A, NEW_PASSWORD, PW_B, 'pwC-0123456789abcdef']) {
      expect(checkpointText).not.toContain(secret);
    }
    // Nothing half-written: exactly the records up to the cursor changed, all of them finished.
    const afterFirst = readRows(db, 'vault');
    const changedInFirst = [...afterFirst.values()].filter(
      (row) => row.updated_at !== manifest.records[row.id]!.updated_at,
    );
    expect(changedInFirst).toHaveLength(first.rotated);
    for (const row of changedInFirst)
      expect(atOrBeforeCursor(rowidOf, row.id, checkpoint.cursor!)).toBe(true);

    const backupHash = sha256File(first.backupPath!);
    const second = await rotateVault(options(db, { resume: true }));
    expect(second).toMatchObject({
      status: 'completed',
      resumed: true,
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      failed: 0,
      checkpointPath: null,
      // the backup of the untouched file is kept, not replaced by one of the half-rotated file
      backupPath: first.backupPath,
    });
    expect(sha256File(first.backupPath!)).toBe(backupHash);
    expect(existsSync(first.checkpointPath!)).toBe(false);

    // No record rotated twice: what the first run wrote is still there byte for byte.
    const afterSecond = readRows(db, 'vault');
    for (const row of changedInFirst)
      expect(afterSecond.get(row.id)!.vault_value).toBe(row.vault_value);
    // No derivation repeated for records already passed.
    expect(first.derivations - first.derivationsDiscarded! + second.derivations).toBe(
      expected.derivations,
    );

    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });

  it('ends in the same state as an uninterrupted run', async () => {
    const interrupted = copyFixture('tiny200', dir.path);
    const straightDir = join(dir.path, 'straight');
    mkdirSync(straightDir);
    const straight = copyFixture('tiny200', straightDir);

    const full = await rotateVault(options(straight, { backup: false }));
    await rotateAndCancel(interrupted, 30, { backup: false });
    await rotateAndCancel(interrupted, 50, { backup: false, resume: true });
    const last = await rotateVault(options(interrupted, { backup: false, resume: true }));

    expect(last).toMatchObject({
      scanned: full.scanned,
      rotated: full.rotated,
      skipped: full.skipped,
    });
    const original = readRows(join(fixturesDir, 'tiny200.db'), 'vault');
    const a = readRows(interrupted, 'vault');
    const b = readRows(straight, 'vault');
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [id, row] of b) {
      const other = a.get(id)!;
      const before = original.get(id)!.vault_value;
      // The same records were rewritten; new values differ only by their random salt and nonce.
      expect(other.vault_value === before, id).toBe(row.vault_value === before);
      if (row.vault_value === before) expect(other.vault_value).toBe(before);
    }
    expect(dumpTable(interrupted, 'vault_meta')).toBe(dumpTable(straight, 'vault_meta'));
    await expectFixtureRotated(interrupted, manifest, {
      oldPassword: PW_A,
      newPassword: NEW_PASSWORD,
    });
  });

  it('with a slow preset, work cut short by the cancel is counted as discarded and redone once', async () => {
    const config = ARGON2_PRESETS.lightweight;
    // More records than the check samples (16, rotated by it and taken by the pass at once): the
    // cancel after 3 then cuts short work of the pass's own.
    const records = recordMix(40, [
      { password: PW_A, weight: 3 },
      { password: 'Someone-Else-0123456789' },
    ]);
    const build = (name: string) => buildVault(join(dir.path, name), { records, config });
    const [straight, interrupted] = [await build('straight.db'), await build('interrupted.db')];
    const slow = (vaultPath: string, extra: Partial<RotationOptions> = {}) =>
      options(vaultPath, {
        openConfig: config,
        kdfBackend: 'native',
        backup: false,
        batchSize: 2,
        ...extra,
      });

    const full = await rotateVault(slow(straight.path));
    const { result: first } = await rotateAndCancel(interrupted.path, 3, slow(interrupted.path));
    expect(first.status).toBe('cancelled');
    const second = await rotateVault(slow(interrupted.path, { resume: true }));
    expect(second).toMatchObject({
      status: 'completed',
      rotated: full.rotated,
      scanned: full.scanned,
    });
    expect(first.derivations - first.derivationsDiscarded! + second.derivations).toBe(
      full.derivations,
    );
  });

  it('resume with no checkpoint starts from the beginning and says so (a retry loop recovers)', async () => {
    const db = copyFixture('tiny200', dir.path);
    const expected = expectedCounts(manifest, PW_A);
    const result = await rotateVault(options(db, { resume: true, backup: false }));
    expect(result).toMatchObject({
      status: 'completed',
      resumed: false,
      scanned: expected.scanned,
      rotated: expected.rotated,
    });
    expect(result.notes).toContainEqual(
      expect.stringMatching(/no unfinished rotation.*beginning/i),
    );
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });

  it('refuses to resume with a checkpoint from different settings', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    await rotateAndCancel(db, 20, { backup: false });
    await expect(
      rotateVault(
        options(db, { resume: true, openConfig: { iterations: 2, memoryKiB: 64, parallelism: 1 } }),
      ),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/different rotation.*t=1/s),
    });
    await expect(
      rotateVault(options(db, { resume: true, includeSoftDeleted: false })),
    ).rejects.toMatchObject({
      code: 'CHECKPOINT',
    });
    expect(sha256File(db)).not.toBe(hash); // the cancelled run did write its finished batches
  });

  it('keeps the checkpoint in checkpointDir when given', async () => {
    const db = copyFixture('tiny200', dir.path);
    const checkpointDir = join(dir.path, 'state');
    mkdirSync(checkpointDir);
    const { result } = await rotateAndCancel(db, 20, { backup: false, checkpointDir });
    expect(result.checkpointPath).toBe(checkpointPathFor(db, checkpointDir));
    expect(result.checkpointPath!.startsWith(checkpointDir)).toBe(true);
    expect(existsSync(`${db}.rotation-checkpoint.json`)).toBe(false);
    const resumed = await rotateVault(options(db, { resume: true, backup: false, checkpointDir }));
    expect(resumed.status).toBe('completed');
    expect(existsSync(result.checkpointPath!)).toBe(false);
  });

  it('a signal aborted before the start does no work and can be resumed', async () => {
    const db = copyFixture('tiny200', dir.path);
    const hash = sha256File(db);
    const result = await rotateVault(options(db, { signal: AbortSignal.abort() }));
    expect(result).toMatchObject({
      status: 'cancelled',
      scanned: 0,
      derivations: 0,
      backupPath: null,
    });
    expect(sha256File(db)).toBe(hash);
    const resumed = await rotateVault(options(db, { resume: true, backup: false }));
    expect(resumed).toMatchObject({
      status: 'completed',
      rotated: expectedCounts(manifest, PW_A).rotated,
    });
  });
});
