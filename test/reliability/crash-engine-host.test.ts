/**
 * Crash safety of the app's engine host: the worker thread that runs a
 * rotation for VaultService (src/main/host/engine-host.ts) is terminated at
 * seeded random moments: any time, inside the n-th batch write (when SQLite
 * creates the journal), while the backup is written, or through the app's
 * own "cancel, then terminate after the grace period" path with no grace.
 * After every stop: the vault is intact and honest (same checks as the CLI
 * kill test), the thread and its crypto workers are gone, and the app
 * resumes the rotation in the same process (so no lock or connection of the
 * terminated thread may survive it) to the end.
 */
import { stat } from 'node:fs/promises';
import { existsSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostJob } from '../../src/main/host/host-job.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import {
  isRotationEvent,
  type RotationEvent,
  type RotationRequest,
} from '../../src/shared/ipc-contract.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { leaksIn, NEW_PASSWORD, OLD_PASSWORD } from '../support/passwords.js';
import { seededRandom } from './support/random.js';
import {
  buildTemplate,
  copyTemplate,
  expectBackupIsOriginal,
  expectConsistentWithTemplate,
  recoveredCopy,
  tiny,
  type VaultState,
  type VaultTemplate,
} from './support/rotation-vault.js';
import { expectVsrefRotated } from './support/vsref-check.js';

const RECORDS = 1200;
const CHAINS = 2;
const STOPS_PER_CHAIN = 4;
const random = seededRandom('crash-engine-host');

type StopPlan =
  | { readonly mode: 'time'; readonly delayMs: number }
  | { readonly mode: 'write'; readonly nth: number }
  | { readonly mode: 'backup' }
  | { readonly mode: 'cancel-no-grace'; readonly delayMs: number };

let temp: TempDir;
let template: VaultTemplate;
const stops: string[] = [];

beforeAll(async () => {
  temp = makeTempDir('vsa-host-crash-');
  template = await buildTemplate(join(temp.path, 'template'), RECORDS);
});

afterAll(() => {
  if (stops.length > 0)
    console.log(`[engine-host stops] seed ${random.seed}\n  ${stops.join('\n  ')}`);
  temp?.dispose();
});

function threadCount(): number {
  const match = /^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Waits (bounded) until the process is back to `baseline` threads; returns the count seen last. */
async function settleThreads(baseline: number): Promise<number> {
  for (let i = 0; i < 100 && threadCount() > baseline; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return threadCount();
}

/**
 * Resolves when the plan's moment comes: a delay counted from the job's
 * first "rotating" event (`rotating()` is called then), or inotify on the
 * vault folder for the n-th write and the backup.
 */
function stopMoment(
  plan: StopPlan,
  dir: string,
): { reached: Promise<void>; rotating(): void; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: ReturnType<typeof watch> | undefined;
  let startTimer = (): void => {};
  const reached = new Promise<void>((resolve) => {
    if (plan.mode === 'time' || plan.mode === 'cancel-no-grace') {
      startTimer = () => {
        timer ??= setTimeout(resolve, plan.delayMs);
      };
      return;
    }
    let journals = 0;
    watcher = watch(dir, (event, name) => {
      if (event !== 'rename' || name === null) return;
      if (plan.mode === 'backup' && /^\.vault\.backup-.*\.tmp$/.test(name)) resolve();
      if (plan.mode === 'write' && name === 'vault.db-journal' && ++journals === plan.nth * 2 - 1)
        resolve();
    });
  });
  return {
    reached,
    rotating: () => startTimer(),
    dispose: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** wall time of the rotating phase of a whole run here (1 worker): only spreads the delays */
const ROTATING_MS = 1500;

function planStop(state: VaultState, first: boolean): StopPlan {
  const roll = random.next();
  if (first && roll < 0.2) return { mode: 'backup' };
  if (roll < 0.5)
    return { mode: 'write', nth: random.int(1, Math.max(1, Math.ceil(state.underOld / 16))) };
  const delayMs = Math.round(random.next() * ROTATING_MS * (state.underOld / template.rotatable));
  return roll < 0.75 ? { mode: 'cancel-no-grace', delayMs } : { mode: 'time', delayMs };
}

function describePlan(plan: StopPlan): string {
  switch (plan.mode) {
    case 'time':
      return `terminate ${plan.delayMs} ms into rotating`;
    case 'write':
      return `terminate at batch write ${plan.nth}`;
    case 'backup':
      return 'terminate while backing up';
    case 'cancel-no-grace':
      return `VaultService cancel + terminate with no grace, ${plan.delayMs} ms into rotating`;
  }
}

/** `vault`: the handle VaultService gave the chosen vault file. */
function rotationRequest(vault: string, resume: boolean): RotationRequest {
  return {
    vault,
    table: 'vault',
    oldPassword: OLD_PASSWORD,
    newPassword: NEW_PASSWORD,
    crypto: { preset: 'tiny' },
    includeSoftDeleted: true,
    backup: true,
    dryRun: false,
    resume,
  };
}

/** One run through HostJob (what VaultService starts), terminated at the plan's moment. */
async function runHostAndTerminate(
  vault: string,
  dir: string,
  resume: boolean,
  plan: StopPlan,
): Promise<string> {
  const oldPassword = new TextEncoder().encode(OLD_PASSWORD);
  const newPassword = new TextEncoder().encode(NEW_PASSWORD);
  const moment = stopMoment(plan, dir);
  const job = new HostJob(
    {
      type: 'rotate',
      options: {
        vaultPath: vault,
        table: 'vault',
        oldPassword,
        newPassword,
        openConfig: tiny,
        backup: true,
        resume,
        workers: 1,
        batchSize: 16,
        progressIntervalMs: 0,
      },
    },
    {
      transfer: [oldPassword.buffer, newPassword.buffer],
      onProgress: (progress) => {
        if (progress.phase === 'rotating') moment.rotating();
      },
    },
  );
  try {
    const first = await Promise.race([
      job.outcome.then(() => 'ended' as const),
      moment.reached.then(() => 'stop' as const),
    ]);
    if (first === 'ended') return 'ended before the stop';
    await job.terminate();
    return 'terminated';
  } finally {
    moment.dispose();
    await job.terminate();
  }
}

/** The app's path: VaultService.startRotation, then cancelActiveAndWait(0) (cancel, terminate at once). */
async function runServiceAndCancelWithoutGrace(
  service: VaultService,
  vault: string,
  resume: boolean,
  plan: StopPlan,
  dir: string,
): Promise<string> {
  const events: RotationEvent[] = [];
  const moment = stopMoment(plan, dir);
  const unsubscribe = service.onJobEvent((event) => {
    if (!isRotationEvent(event)) return;
    events.push(event);
    if (event.type === 'progress' && event.progress.phase === 'rotating') moment.rotating();
  });
  try {
    const handle = service.chooseVault(vault);
    if (!handle.ok) throw new Error(handle.error.message);
    const started = await service.startRotation(rotationRequest(handle.value, resume));
    if (!started.ok) throw new Error(`${started.error.code}: ${started.error.message}`);
    const finished = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (service.activeRotation() === null) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
      void moment.reached.then(() => {
        clearInterval(poll);
        resolve();
      });
    });
    await finished;
    await service.cancelActiveAndWait(0);
    expect(leaksIn(JSON.stringify(events), [OLD_PASSWORD, NEW_PASSWORD], 'events')).toEqual([]);
    const final = events.find((event) => event.type !== 'progress');
    if (final?.type === 'error') {
      // Terminated: the app says so, and what to do.
      expect(final.error.code).toBe('WORKER_FAILED');
      expect(final.error.message).toMatch(/resume/i);
      return 'terminated by the service';
    }
    if (final?.type === 'result') return `ended with status ${final.result.status}`;
    return 'no final event';
  } finally {
    moment.dispose();
    unsubscribe();
  }
}

async function checkAfterStop(vault: string, dir: string, context: string): Promise<VaultState> {
  const state = await expectConsistentWithTemplate(
    recoveredCopy(vault, join(dir, 'scratch')),
    template,
    NEW_PASSWORD,
    context,
  );
  expect(state.underOld + state.underNew).toBe(template.rotatable);
  const checkpointPath = `${vault}.rotation-checkpoint.json`;
  if (existsSync(checkpointPath)) {
    const text = readFileSync(checkpointPath, 'utf8');
    expect(leaksIn(text, [OLD_PASSWORD, NEW_PASSWORD], `${context} checkpoint`)).toEqual([]);
    const checkpoint = JSON.parse(text) as {
      backupPath: string | null;
      counts: { rotated: number };
    };
    expect(checkpoint.counts.rotated).toBeLessThanOrEqual(state.underNew);
    if (checkpoint.backupPath && existsSync(checkpoint.backupPath)) {
      expectBackupIsOriginal(checkpoint.backupPath, template);
    }
  } else {
    expect(
      [0, template.rotatable],
      `${context}: no checkpoint, so nothing or everything rotated`,
    ).toContain(state.underNew);
  }
  return state;
}

describe('the engine host terminated in the middle of a rotation', () => {
  for (let chain = 0; chain < CHAINS; chain++) {
    it(`chain ${chain}: ${STOPS_PER_CHAIN} stops, checked after each, resumed in the same process`, async () => {
      const dir = join(temp.path, `chain-${chain}`);
      const vault = copyTemplate(template, dir);
      const service = new VaultService({
        dataDir: join(dir, 'app-data'),
        workers: 1,
        batchSize: 16,
      });
      // libuv starts its whole thread pool on the first piece of work given to it (Node 24
      // does that later than 20 did): started before the baseline, it is not counted as a leak.
      await stat(dir);
      const baseline = threadCount();
      try {
        let state: VaultState = { underOld: template.rotatable, underNew: 0 };
        let resume = false;
        for (let stop = 0; stop < STOPS_PER_CHAIN && state.underOld > 0; stop++) {
          const plan = planStop(state, !resume);
          const context = `chain ${chain} stop ${stop} (${describePlan(plan)}, seed ${random.seed})`;
          const outcome =
            plan.mode === 'cancel-no-grace'
              ? await runServiceAndCancelWithoutGrace(service, vault, resume, plan, dir)
              : await runHostAndTerminate(vault, dir, resume, plan);
          // The host and its crypto workers are gone: the thread count returns to where it was.
          expect(
            await settleThreads(baseline),
            `${context}: threads left running`,
          ).toBeLessThanOrEqual(baseline);
          state = await checkAfterStop(vault, dir, context);
          resume = existsSync(`${vault}.rotation-checkpoint.json`);
          stops.push(`${context}: ${outcome}; records under the new password: ${state.underNew}`);
        }

        // The app finishes it: open (it must offer to resume), then resume.
        const summary = await service.openChosenPath(vault);
        if (!summary.ok)
          throw new Error(
            `the app cannot open the vault: ${summary.error.code}: ${summary.error.message}`,
          );
        if (resume) {
          expect(summary.value.unfinishedRotations.map((rotation) => rotation.table)).toEqual([
            'vault',
          ]);
        }
        const events: RotationEvent[] = [];
        const unsubscribe = service.onJobEvent((event) => {
          if (isRotationEvent(event)) events.push(event);
        });
        const started = await service.startRotation(rotationRequest(summary.value.handle, resume));
        if (!started.ok) throw new Error(`${started.error.code}: ${started.error.message}`);
        while (!events.some((event) => event.type !== 'progress')) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        unsubscribe();
        const final = events.find((event) => event.type !== 'progress');
        if (!resume && state.underOld === 0) {
          // Every record was rotated but the stop came before the run reported it (no
          // checkpoint left): a new rotation is refused as already rotated, nothing written.
          expect(final, JSON.stringify(final)).toMatchObject({
            type: 'error',
            error: { code: 'ALREADY_ROTATED' },
          });
        } else expect(final?.type, JSON.stringify(final)).toBe('result');
        const finalState = await expectConsistentWithTemplate(
          vault,
          template,
          NEW_PASSWORD,
          `chain ${chain}, finished`,
        );
        expect(finalState).toEqual({ underOld: 0, underNew: template.rotatable });
        expect(existsSync(`${vault}-journal`)).toBe(false);
        expect(existsSync(`${vault}.rotation-checkpoint.json`)).toBe(false);
        await expectVsrefRotated(vault);
      } finally {
        await service.dispose();
      }
    }, 300_000);
  }
});
