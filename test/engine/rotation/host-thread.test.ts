import { existsSync } from 'node:fs';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint, rotateVault, type RotationResult } from '../../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { readRows } from '../../support/vault-builder.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectedCounts,
  rotationOptions,
} from './support/rotation-checks.js';

const manifest = readManifest('tiny200');

function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

const options = rotationOptions;

describe('the job and its host thread', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('runs inside a worker thread, as the desktop app hosts it', async () => {
    const db = copyFixture('tiny200', dir.path);
    // tsx's ESM entry (its CommonJS API registers the loader from a wrong relative path)
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = pathToFileURL(join(import.meta.dirname, 'support', 'rotate-in-worker.ts')).href;
    const worker = new Worker(
      `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
      {
        eval: true,
        workerData: { vaultPath: db, oldPassword: bytes(PW_A), newPassword: bytes(NEW_PASSWORD) },
      },
    );
    try {
      const reply = await new Promise<{
        ok: boolean;
        result?: RotationResult;
        message?: string;
        progressEvents?: number;
      }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(reply.message).toBeUndefined();
      expect(reply.result).toMatchObject({
        status: 'completed',
        rotated: expectedCounts(manifest, PW_A).rotated,
      });
      expect(reply.progressEvents).toBeGreaterThan(0);
    } finally {
      await worker.terminate();
    }
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });

  it('leaves no worker, handle or listener behind: completed, cancelled or failed', async () => {
    const before = activeResources();
    const controller = new AbortController();
    const cancelled = await rotateVault(
      options(copyFixture('tiny200', dir.path), {
        backup: false,
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.scanned >= 10) controller.abort();
        },
      }),
    );
    expect(cancelled.status).toBe('cancelled');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await expect(rotateVault(options(join(dir.path, 'missing.db')))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    const after = activeResources();
    for (const [type, count] of after)
      expect(count, type).toBeLessThanOrEqual(before.get(type) ?? 0);
  });

  it('a write lock held too long fails the job with LOCKED, writes no partial batch, and can be resumed', async () => {
    const db = copyFixture('tiny200', dir.path);
    const other = new Database(db);
    other.exec('BEGIN IMMEDIATE');
    const before = activeResources();
    let failure: unknown;
    try {
      await rotateVault(options(db, { busyTimeoutMs: 200 }));
    } catch (error) {
      failure = error;
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(failure).toMatchObject({ code: 'LOCKED' });
    for (const [type, count] of activeResources())
      expect(count, type).toBeLessThanOrEqual(before.get(type) ?? 0);
    // Nothing written; the backup and the checkpoint let the user continue.
    for (const [id, row] of readRows(db, 'vault'))
      expect(row.updated_at, id).toBe(manifest.records[id]!.updated_at);
    const checkpoint = readCheckpoint(`${db}.rotation-checkpoint.json`);
    expect(checkpoint).toMatchObject({ cursor: null, counts: { scanned: 0 } });
    expect(existsSync(checkpoint!.backupPath!)).toBe(true);

    const resumed = await rotateVault(options(db, { resume: true }));
    expect(resumed).toMatchObject({ status: 'completed', backupPath: checkpoint!.backupPath });
    await expectFixtureRotated(db, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  });
});
