/**
 * A store that cannot tell whether another program wrote (a database server:
 * dataVersion() is null). The rotation then always sweeps after its pass,
 * and the sweep's findings decide the coverage; a dry run counts again
 * instead. The real SQLite store is used, with only dataVersion() answering
 * null, as a server's does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rotateVault } from '../../../../src/engine/index.js';
import type * as Storage from '../../../../src/engine/storage/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../../support/fixtures.js';
import {
  NEW_PASSWORD,
  PW_A,
  expectFixtureRotated,
  expectedCounts,
  rotationOptions,
} from '../support/rotation-checks.js';

vi.mock('../../../../src/engine/storage/index.js', async (importOriginal) => {
  const { withStoreOverrides } = await import('../support/store-overrides.js');
  return withStoreOverrides(await importOriginal<typeof Storage>(), () => ({
    dataVersion: () => Promise.resolve(null),
  }));
});

const manifest = readManifest('tiny200');

let dir: TempDir;
beforeEach(() => {
  dir = makeTempDir('vsa-unknown-version-');
});
afterEach(() => dir.dispose());

describe('rotateVault on a store without a data version', () => {
  it('sweeps once after the pass, finds nothing else written, and completes', async () => {
    const db = copyFixture('tiny200', dir.path);
    const expected = expectedCounts(manifest, PW_A);
    const result = await rotateVault(rotationOptions(db));
    expect(result).toMatchObject({
      status: 'completed',
      scanned: expected.scanned,
      rotated: expected.rotated,
      coverage: { rowsAtStart: expected.scanned, visited: expected.scanned, foreignWrites: false },
      sweep: { rounds: 1, changed: 0, inserted: 0, deleted: 0, rotated: 0, stillWriting: false },
    });
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });

  it('a dry run counts the records again instead of sweeping', async () => {
    const db = copyFixture('tiny200', dir.path);
    const result = await rotateVault(rotationOptions(db, { dryRun: true }));
    expect(result.status).toBe('completed');
    expect(result.sweep).toBeUndefined();
    expect(result.coverage?.foreignWrites).toBe(false);
  });

  it('a run stopped in its re-read, resumed with nothing left to open, completed the rotation', async () => {
    const db = copyFixture('tiny200', dir.path);
    const expected = expectedCounts(manifest, PW_A);
    const stop = new AbortController();
    // Every record accounted in the pass: the stop lands in the re-read that follows it.
    const first = await rotateVault(
      rotationOptions(db, {
        signal: stop.signal,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.phase === 'rotating' && progress.scanned === progress.total) stop.abort();
        },
      }),
    );
    expect(first.status).toBe('cancelled');
    expect(first.checkpointPath).not.toBeNull();
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
    // Redone from the start (the ledger was in memory): nothing opens any more, yet the
    // rotation it continues did the work: "completed", not "nothing opened" (exit 4).
    const resumed = await rotateVault(rotationOptions(db, { resume: true }));
    // The summary covers the whole rotation (issue 15: it said rotated 0 here).
    expect(resumed).toMatchObject({
      status: 'completed',
      resumed: true,
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
    });
    expect(resumed.thisRun).toMatchObject({ opened: 0, skipped: expected.scanned });
    expect(resumed.notes?.join(' ')).toMatch(/re-examined every record/);
  });
});
