/**
 * The job registry with real engine-host threads (HostJob running the real
 * engine on copies of tiny200): the checks in their order, the vault freed
 * before the outcome is handed on, cancel by id, and dispose.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostRequest } from '../../src/main/host/engine-host-protocol.js';
import { HostJob } from '../../src/main/host/host-job.js';
import { JobRegistry, type JobClaim } from '../../src/main/host/job-registry.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { makeVault, rotateCommand, type TestVault } from './support/vaults.js';

type RotateRequest = Extract<HostRequest, { type: 'rotate' }>;

let temp: TempDir;
let registry: JobRegistry;

beforeEach(() => {
  temp = makeTempDir('vsa-registry-');
  registry = new JobRegistry(60_000);
});

afterEach(async () => {
  await registry.dispose();
  temp.dispose();
});

/** A real rotation thread (one engine worker, small batches so a cancel lands midway). */
function rotationHost(
  vault: TestVault,
  options: Partial<RotateRequest['options']> = {},
  onProgress?: () => void,
): HostJob<RotateRequest> {
  const { command, transfer } = rotateCommand(vault, { workers: 1, batchSize: 8, ...options });
  return new HostJob(command as RotateRequest, { transfer, ...(onProgress && { onProgress }) });
}

/** A folder of its own in the temp dir (makeVault names every copy tiny200.db). */
function folder(name: string): string {
  const path = join(temp.path, name);
  mkdirSync(path);
  return path;
}

function rotation(jobId: string, vault: TestVault): JobClaim {
  return { jobId, kind: 'rotate', vaultPath: vault.path };
}

describe('JobRegistry', () => {
  it('refuses a job in one order: shutting down, id used, vault busy (by any name), another rotation', async () => {
    const busy = makeVault(folder('a'), 4);
    const other = makeVault(folder('b'));
    const alias = join(temp.path, 'alias.db');
    symlinkSync(busy.path, alias);
    expect(registry.refuse(rotation('r1', busy))).toBeNull();
    const finished = registry.start(rotation('r1', busy), rotationHost(busy), (outcome) => outcome);

    const reused = registry.refuse({ jobId: 'r1', kind: 'verify', vaultPath: other.path });
    expect(reused?.code).toBe('INVALID_ARGUMENT');
    expect(reused?.message).toContain('already used');
    const viaAlias = registry.refuse({ jobId: 'v1', kind: 'verify', vaultPath: alias });
    expect(viaAlias).toMatchObject({ code: 'BUSY' });
    expect(viaAlias?.message).toContain('being rotated');
    const second = registry.refuse(rotation('r2', other));
    expect(second?.code).toBe('BUSY');
    expect(second?.message).toContain('A rotation is already running');
    expect(registry.refuse({ jobId: 'v1', kind: 'verify', vaultPath: other.path })).toBeNull();

    expect(registry.activeRotation()).toMatchObject({
      jobId: 'r1',
      vaultPath: busy.path,
      cancelRequested: false,
    });
    await registry.dispose();
    const outcome = await finished;
    expect(outcome.ok && outcome.value.status).toBe('cancelled');
    // Shutting down comes first, even for an id used before.
    expect(registry.refuse(rotation('r1', busy))?.message).toContain('shutting down');
    expect(registry.refuseBusy(other.path)?.message).toContain('shutting down');
  });

  it('frees the vault before the outcome is handed on, and answers what `settled` returned', async () => {
    const vault = makeVault(temp.path);
    const seenBySettled: unknown[] = [];
    const answer = await registry.start(
      rotation('dry', vault),
      rotationHost(vault, { dryRun: true }),
      (outcome, job) => {
        // Whoever hears of the end may start the next job on the vault at once.
        seenBySettled.push(registry.refuse(rotation('next', vault)), registry.activeRotation());
        return { ok: outcome.ok, jobId: job.jobId, vaultPath: job.vaultPath };
      },
    );
    expect(answer).toEqual({ ok: true, jobId: 'dry', vaultPath: vault.path });
    expect(seenBySettled).toEqual([null, null]);
    expect(registry.refuse(rotation('dry', vault))?.message).toContain('already used');
  });

  it('cancels a job by its id (the rotation stops after its batch); an unknown id is ignored', async () => {
    const vault = makeVault(temp.path, 4);
    registry.cancel('never-started');
    let cancelled = false;
    const host = rotationHost(vault, {}, () => {
      if (cancelled) return;
      cancelled = true;
      registry.cancel('r1');
    });
    const finished = registry.start(rotation('r1', vault), host, (outcome, job) => ({
      outcome,
      job,
    }));
    const { outcome, job } = await finished;
    expect(outcome.ok && outcome.value.status).toBe('cancelled');
    expect(outcome.ok && outcome.value.rotated).toBeLessThan(vault.underOld);
    expect(job.cancelRequested).toBe(true);
    expect(registry.activeRotation()).toBeNull();
  });

  it('dispose waits for the cancelled rotation and stops every other thread', async () => {
    const vault = makeVault(folder('a'), 4);
    const looked = makeVault(folder('b'), 20);
    const finished = registry.start(
      rotation('r1', vault),
      rotationHost(vault),
      (outcome) => outcome,
    );
    // A thread that is no job (the app's read-only looks) is stopped too.
    const other = rotationHost(looked);
    registry.track(other);
    await registry.dispose();
    expect(registry.isDisposed).toBe(true);
    const outcome = await finished;
    expect(outcome.ok && outcome.value.status).toBe('cancelled');
    const stopped = await other.outcome;
    expect(stopped.ok).toBe(false);
    expect(!stopped.ok && stopped.error.code).toBe('WORKER_FAILED');
    expect(registry.activeRotation()).toBeNull();
  });
});
