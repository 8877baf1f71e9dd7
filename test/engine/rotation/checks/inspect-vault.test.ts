import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkpointPathFor,
  inspectVault,
  rotateVault,
  type Argon2Config,
  type RotationOptions,
} from '../../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { leaksIn } from '../../../support/passwords.js';
import { buildVault, recordMix, type BuiltVault } from '../../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, rotationOptions, tiny } from '../support/rotation-checks.js';

/** A write config other than the open one, so the inspection must tell them apart. */
const WRITE_CONFIG: Argon2Config = { iterations: 2, memoryKiB: 64, parallelism: 1, saltLength: 24 };

/** 120 records under PW_A, one in six soft-deleted. */
function buildTestVault(path: string): Promise<BuiltVault> {
  return buildVault(path, {
    config: tiny,
    records: recordMix(120, [
      { password: PW_A, weight: 5 },
      { password: PW_A, softDeleted: true },
    ]),
  });
}

/** A real interrupted rotation: cancelled from its own progress events once `after` records were scanned. */
async function cancelledRotation(
  vaultPath: string,
  after: number,
  extra: Partial<RotationOptions>,
) {
  const controller = new AbortController();
  const result = await rotateVault(
    rotationOptions(vaultPath, {
      workers: 2,
      batchSize: 8,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.scanned >= after) controller.abort();
      },
      ...extra,
    }),
  );
  expect(result.status).toBe('cancelled');
  return result;
}

describe('inspectVault', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('lists the tables and no unfinished rotation of an untouched vault', async () => {
    const vault = await buildTestVault(join(dir.path, 'plain.db'));
    const inspection = await inspectVault({ vaultPath: vault.path });
    expect(
      inspection.tables.map((table) => [table.name, table.records, table.softDeleted]),
    ).toEqual([['vault', 120, 20]]);
    expect(inspection.unfinishedRotations).toEqual([]);
    expect(inspection.checkpointProblem).toBeNull();
  });

  it('shows a cancelled rotation with its settings and counts, and none once it is resumed to the end', async () => {
    const vault = await buildTestVault(join(dir.path, 'cancelled.db'));
    const checkpointDir = join(dir.path, 'checkpoints');
    mkdirSync(checkpointDir);
    const settings = {
      writeConfig: WRITE_CONFIG,
      includeSoftDeleted: false,
      checkpointDir,
    } satisfies Partial<RotationOptions>;
    const before = Date.now();
    const cancelled = await cancelledRotation(vault.path, 30, settings);

    const inspection = await inspectVault({ vaultPath: vault.path, checkpointDir });
    expect(inspection.tables.map((table) => table.name)).toEqual(['vault']);
    expect(inspection.checkpointProblem).toBeNull();
    expect(inspection.unfinishedRotations).toHaveLength(1);
    const [unfinished] = inspection.unfinishedRotations;
    expect(unfinished).toEqual({
      table: 'vault',
      checkpointPath: checkpointPathFor(vault.path, checkpointDir),
      openConfig: tiny,
      writeConfig: WRITE_CONFIG,
      includeSoftDeleted: false,
      startedAt: expect.any(String),
      updatedAt: expect.any(String),
      counts: {
        scanned: cancelled.scanned,
        rotated: cancelled.rotated,
        skipped: cancelled.skipped,
        failed: cancelled.failed,
        opened: cancelled.opened,
        bytes: expect.any(Number),
      },
      // soft-deleted records are out of this rotation's scope
      recordsInScope: 100,
      backupPath: cancelled.backupPath,
      runs: 1,
      redoFromStart: false,
    });
    expect(cancelled.scanned).toBeGreaterThanOrEqual(30);
    expect(cancelled.scanned).toBeLessThan(100);
    expect(unfinished!.counts.bytes).toBeGreaterThan(0);
    expect(cancelled.backupPath).not.toBeNull();
    const started = Date.parse(unfinished!.startedAt);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(unfinished!.updatedAt)).toBeGreaterThanOrEqual(started);

    // Nothing of the checkpoint's resume proof leaves the engine, and no password was ever in it.
    const text = JSON.stringify(inspection);
    for (const field of ['canaries', 'proof', 'cursor', 'sha256'])
      expect(text).not.toContain(field);
    const checkpoint = JSON.parse(readFileSync(unfinished!.checkpointPath, 'utf8')) as {
      canaries: { old: string; new: string };
    };
    expect(text).not.toContain(checkpoint.canaries.old);
    expect(leaksIn(text, [PW_A, NEW_PASSWORD], 'inspection')).toEqual([]);

    // The checkpoint lives in checkpointDir: looking next to the vault finds nothing.
    expect((await inspectVault({ vaultPath: vault.path })).unfinishedRotations).toEqual([]);

    // The settings the inspection reports are the ones a resume must give: it completes with them.
    const resumed = await rotateVault(
      rotationOptions(vault.path, { ...settings, resume: true, workers: 2 }),
    );
    expect(resumed.status).toBe('completed');
    expect(resumed.scanned).toBe(100);
    const after = await inspectVault({ vaultPath: vault.path, checkpointDir });
    expect(after.unfinishedRotations).toEqual([]);
    expect(after.checkpointProblem).toBeNull();
  });

  it('counts a second run and still opens the vault when the checkpoint is damaged', async () => {
    const vault = await buildTestVault(join(dir.path, 'twice.db'));
    await cancelledRotation(vault.path, 20, {});
    const second = await cancelledRotation(vault.path, 20, { resume: true });
    const [unfinished] = (await inspectVault({ vaultPath: vault.path })).unfinishedRotations;
    expect(unfinished).toMatchObject({
      runs: 2,
      includeSoftDeleted: true,
      writeConfig: tiny,
      recordsInScope: 120,
      counts: { scanned: second.scanned, rotated: second.rotated },
    });

    writeFileSync(checkpointPathFor(vault.path), '{"format": "something else"}\n');
    const damaged = await inspectVault({ vaultPath: vault.path });
    expect(damaged.tables.map((table) => table.records)).toEqual([120]);
    expect(damaged.unfinishedRotations).toEqual([]);
    expect(damaged.checkpointProblem).toMatch(/damaged or from another version/);
  });

  it('does not offer a checkpoint copied along with the vault to another file', async () => {
    const vault = await buildTestVault(join(dir.path, 'original.db'));
    await cancelledRotation(vault.path, 20, {});
    const copy = join(dir.path, 'copy.db');
    copyFileSync(vault.path, copy);
    copyFileSync(checkpointPathFor(vault.path), checkpointPathFor(copy));
    const inspection = await inspectVault({ vaultPath: copy });
    expect(inspection.unfinishedRotations).toEqual([]);
    expect(inspection.checkpointProblem).toContain(vault.path);
    expect(inspection.checkpointProblem).toMatch(/another file/);
  });
});
