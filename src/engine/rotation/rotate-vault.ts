/**
 * rotateVault: re-encrypt every record of one vault table that opens with the
 * old password under the new one. The sequence: plan (rotation-plan.ts:
 * validate, lock, resume or start, count, prove the passwords), run
 * (rotation-run.ts: checkpointed main pass, coverage proof, sweep), result
 * (rotation-result.ts). Holds nothing thread-bound (no process signals, no
 * stdio), so a shell may run it inside a worker.
 */
import { vaultDriver } from '../storage/index.js';
import { deleteCheckpoint } from './state/checkpoint.js';
import { JobResources } from './job/job-resources.js';
import { sampleWithNewPassword } from './checks/new-password-sample.js';
import { ProgressReporter, RunProgress } from './job/progress.js';
import { planRotation } from './plan/rotation-plan.js';
import { rotationResult, runOutcome, type RunOutcome } from './result/rotation-result.js';
import type { RotationPlan } from './plan/rotation-plan.js';
import { runRotation } from './run/rotation-run.js';
import type { NewPasswordSample, RotationOptions, RotationResult } from './types.js';

/** The default driver's batch size (each driver declares its own write cadence). */
export const DEFAULT_BATCH_SIZE = vaultDriver('better-sqlite3').writeCadence.batchSize;

/**
 * A resume with no unfinished rotation left, whose pass opened nothing with
 * the old password while the new one opens sampled records: the rotation had
 * completed (its run ended before its exit was seen). The pass visited every
 * record in scope, so this is proven, not guessed: "completed", so that
 * "repeat --resume until it succeeds" ends.
 */
function resumedAfterCompletion(
  options: RotationOptions,
  plan: RotationPlan,
  outcome: RunOutcome,
  sample: NewPasswordSample | null,
): RunOutcome {
  if (!options.resume || plan.previous !== null || outcome.status !== 'nothing-opened') {
    return outcome;
  }
  if ((sample?.opened ?? 0) === 0) return outcome;
  plan.notes.push(
    'Already completed: no record in scope opens with the old password any more, and the new password ' +
      'opens the sampled records, so an earlier run finished this rotation (its checkpoint was removed ' +
      'when it completed). Nothing was changed now.',
  );
  return { ...outcome, status: 'completed' };
}

export async function rotateVault(options: RotationOptions): Promise<RotationResult> {
  const started = performance.now();
  const progress = new RunProgress(
    new ProgressReporter(options.onProgress, options.progressIntervalMs),
  );
  progress.phase('validating');
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  try {
    const plan = await planRotation(options, resources, progress);
    const run = await runRotation(plan, options, progress);
    progress.phase('finishing');
    const redone = plan.previous?.redoFromStart === true;
    const ran = runOutcome(plan.base, run, redone ? plan.previous!.counts : null);
    if (!plan.dryRun && !run.stopped) deleteCheckpoint(plan.checkpointPath);
    // Nothing opened: tell "already rotated" (e.g. a run killed before it reported) from "wrong password".
    const newPasswordSample =
      ran.status === 'nothing-opened' && !plan.dryRun
        ? await sampleWithNewPassword({ store: plan.store, scope: plan.scope, pool: plan.pool })
        : null;
    const outcome = resumedAfterCompletion(options, plan, ran, newPasswordSample);
    const result = rotationResult(plan, run, outcome, {
      seconds: (performance.now() - started) / 1000,
      newPasswordSample,
    });
    progress.phase(run.stopped ? 'cancelled' : 'done');
    return result;
  } catch (error) {
    try {
      progress.phase('failed');
    } catch {
      // the job's own error is the one to report
    }
    throw error;
  } finally {
    await resources.dispose();
  }
}
