/**
 * The engine host (a real worker thread running the real engine) terminated
 * mid-rotation, again and again: after every stop the vault is consistent and
 * the rotation resumes from its checkpoint, until a run completes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointPathFor } from '../../src/engine/rotation/state/checkpoint.js';
import { releaseRotationLockOfThread } from '../../src/engine/rotation/state/rotation-lock.js';
import type { RotationProgress, RotationResult } from '../../src/engine/rotation/types.js';
import { spawnWorker } from '../../src/engine/worker-script.js';
import {
  ENGINE_HOST_WORKER,
  type HostCommand,
  type HostReply,
} from '../../src/main/host/engine-host-protocol.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { EventLog } from './support/events.js';
import {
  expectConsistentWithFixture,
  makeVault,
  NEW_PASSWORD,
  OLD_PASSWORD,
  rotateCommand,
  type TestVault,
} from './support/vaults.js';

let temp: TempDir;
const workers = new Set<Worker>();

beforeEach(() => {
  temp = makeTempDir('vsa-host-');
});

afterEach(async () => {
  await Promise.all([...workers].map((worker) => worker.terminate()));
  workers.clear();
  temp.dispose();
});

/**
 * Runs one host until its `stopAfter`-th progress event with records
 * rotated in this run, then terminates it. Resolves with the final result
 * instead if the run ends first.
 */
function runHostAndTerminate(
  vault: TestVault,
  resume: boolean,
  stopAfter: number,
): Promise<RotationResult | 'terminated'> {
  const worker = spawnWorker(ENGINE_HOST_WORKER);
  workers.add(worker);
  return new Promise((resolve, reject) => {
    let seen = 0;
    let stopping = false;
    worker.on('message', (reply: HostReply) => {
      if (stopping) return;
      if (reply.type === 'failed') reject(new Error(`${reply.error.code}: ${reply.error.message}`));
      else if (reply.type === 'done') resolve(reply.value as RotationResult);
      else if (
        reply.type === 'progress' &&
        (reply.progress as RotationProgress).rotated > 0 &&
        ++seen >= stopAfter
      ) {
        stopping = true;
        const threadId = worker.threadId;
        void worker.terminate().then(() => {
          // What HostJob does once the thread is gone: a terminated thread ran no `finally`.
          releaseRotationLockOfThread(vault.path, threadId);
          resolve('terminated');
        });
      }
    });
    worker.on('error', reject);
    const { command, transfer } = rotateCommand(vault, { resume, workers: 1, batchSize: 8 });
    worker.postMessage(command, transfer);
  });
}

describe('engine host', () => {
  it('terminated mid-job leaves the vault consistent and resumable, every time', async () => {
    const vault = makeVault(temp.path, 4);
    const checkpoint = checkpointPathFor(vault.path);
    let underNew = 0;
    let terminations = 0;
    // Later runs are stopped later, so every run makes progress and the chain ends.
    for (const stopAfter of [1, 2, 3, 5]) {
      const outcome = await runHostAndTerminate(vault, terminations > 0, stopAfter);
      if (outcome !== 'terminated') break;
      terminations++;
      const state = await expectConsistentWithFixture(vault);
      expect(state.underOld + state.underNew).toBe(vault.underOld);
      expect(state.underNew).toBeGreaterThanOrEqual(underNew);
      underNew = state.underNew;
      expect(existsSync(checkpoint), 'a checkpoint to resume from').toBe(true);
    }
    expect(terminations).toBe(4);
    expect(underNew).toBeGreaterThan(0);

    // The app opens it as resumable and finishes the rotation.
    const service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
    const log = new EventLog(service);
    try {
      const summary = await service.openChosenPath(vault.path);
      expect(summary.ok && summary.value.unfinishedRotations.map((r) => r.table)).toEqual([
        vault.table,
      ]);
      const started = await service.startRotation({
        vault: summary.ok ? summary.value.handle : '',
        table: vault.table,
        oldPassword: OLD_PASSWORD,
        newPassword: NEW_PASSWORD,
        crypto: { preset: 'tiny' },
        includeSoftDeleted: true,
        backup: false,
        dryRun: false,
        resume: true,
      });
      if (!started.ok) throw new Error(started.error.message);
      const final = await log.final(started.value.jobId);
      expect(final.type === 'result' && final.result.status).toBe('completed');
    } finally {
      log.dispose();
      await service.dispose();
    }
    expect(await expectConsistentWithFixture(vault)).toEqual({
      underOld: 0,
      underNew: vault.underOld,
    });
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('takes the passwords (moved, not copied), answers a cancel with a cancelled result, then exits', async () => {
    const vault = makeVault(temp.path, 4);
    const worker = spawnWorker(ENGINE_HOST_WORKER);
    workers.add(worker);
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const { command, transfer } = rotateCommand(vault, { resume: false, workers: 1, batchSize: 8 });
    const result = await new Promise<RotationResult>((resolve, reject) => {
      let cancelled = false;
      worker.on('message', (reply: HostReply) => {
        if (reply.type === 'failed') reject(new Error(reply.error.message));
        else if (reply.type === 'done') resolve(reply.value as RotationResult);
        else if (
          reply.type === 'progress' &&
          !cancelled &&
          (reply.progress as RotationProgress).rotated > 0
        ) {
          cancelled = true;
          worker.postMessage({ type: 'cancel' } satisfies HostCommand);
        }
      });
      worker.postMessage(command, transfer);
    });
    // The passwords were moved to the host, not copied: nothing left on this side.
    const options = command.type === 'rotate' ? command.options : null;
    expect(options?.oldPassword.byteLength).toBe(0);
    expect(options?.newPassword.byteLength).toBe(0);
    expect(result.status).toBe('cancelled');
    expect(result.checkpointPath).toBe(checkpointPathFor(vault.path));
    expect(await exited).toBe(0); // the host ends by itself once its one job is done
    const state = await expectConsistentWithFixture(vault);
    expect(state.underNew).toBe(result.rotated);
  });
});
