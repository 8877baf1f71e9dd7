/**
 * After a rotation ran: this run's counts (the sweep's re-examinations in
 * place of the main pass's lost writes) summed over resumed runs, the
 * status, the notes for people and the result. The coverage proof the run
 * asserts is beside the run (run/coverage.ts).
 */
import { basename } from 'node:path';
import { sumCounts, type RecordCounts } from '../job/record-counts.js';
import { scopeNotes, type RecordScope } from '../job/record-scope.js';
import type { RotationPlan } from '../plan/rotation-plan.js';
import type { RotationRun } from '../run/rotation-run.js';
import type { SweepReport } from '../run/sweep.js';
import type {
  NewPasswordSample,
  RecordFailure,
  RotationResult,
  RotationStatus,
  RotationSweep,
} from '../types.js';

export interface RunOutcome {
  /** this run alone */
  readonly thisRun: RecordCounts;
  /** over all runs of this rotation */
  readonly counts: RecordCounts;
  readonly failures: readonly RecordFailure[];
  readonly status: RotationStatus;
}

/**
 * `redone`: the counts of the interrupted runs when this run re-examined
 * every record from the start (`base` is then zero). The records they
 * rotated no longer open with the old password, so this run saw them as
 * skipped: they count as rotated by the rotation (the summary covers the
 * whole rotation, as without a redo), and a redo that finds nothing left to
 * open continued a rotation that did open records: completed, not
 * "nothing opened".
 */
export function runOutcome(
  base: RecordCounts,
  run: RotationRun,
  redone: RecordCounts | null = null,
): RunOutcome {
  const { pipeline, sweep } = run;
  const main = pipeline.counts;
  // Records lost to another program's write in the main pass were re-examined by the sweep.
  const mainFailures = sweep
    ? pipeline.failures.filter((failure) => failure.reason !== 'changed-concurrently')
    : pipeline.failures;
  const thisRun: RecordCounts = {
    scanned: main.scanned,
    rotated: main.rotated + (sweep?.rotated ?? 0),
    skipped: main.skipped,
    failed: sweep ? main.failed - main.changedConcurrently + sweep.failed : main.failed,
    opened: main.opened + (sweep?.opened ?? 0),
    bytes: main.bytes,
  };
  const counts = withEarlierRotations(sumCounts(base, thisRun), redone);
  const status = rotationStatus({
    stopped: run.stopped,
    stillWriting: sweep?.stillWriting ?? false,
    undoneWrites: main.undoneWrites,
    opened: counts.opened + (redone?.opened ?? 0),
    skippedThisRun: thisRun.skipped,
  });
  return { thisRun, counts, failures: [...mainFailures, ...(sweep?.failures ?? [])], status };
}

/**
 * A redo's counts with the earlier runs' rotations moved from skipped to
 * rotated (at most as many as it skipped: a record another program put back
 * under the old password was rotated again and counts once).
 */
function withEarlierRotations(counts: RecordCounts, earlier: RecordCounts | null): RecordCounts {
  if (earlier === null) return counts;
  const moved = Math.min(earlier.rotated, counts.skipped);
  return {
    ...counts,
    rotated: counts.rotated + moved,
    opened: counts.opened + moved,
    skipped: counts.skipped - moved,
    bytes: counts.bytes + earlier.bytes,
  };
}

/** The result of the run (adds the closing notes to the plan's). */
export function rotationResult(
  plan: RotationPlan,
  run: RotationRun,
  outcome: RunOutcome,
  after: {
    readonly seconds: number;
    readonly newPasswordSample: (NewPasswordSample & { readonly derivations: number }) | null;
  },
): RotationResult {
  const { pipeline, sweep, stopped } = run;
  const { counts, thisRun } = outcome;
  const { newPasswordSample } = after;
  const notes = plan.notes;
  const reused = plan.sampled?.reusedDerivations ?? 0;
  notes.push(
    ...closingNotes({
      removedTemporaries: plan.removedTemporaries,
      dryRun: plan.dryRun,
      scope: plan.scope,
      triggers: plan.triggers,
      undoneWrites: pipeline.counts.undoneWrites,
      stillWriting: sweep?.stillWriting ?? false,
    }),
  );
  return {
    status: outcome.status,
    table: plan.scope.table,
    dryRun: plan.dryRun,
    scanned: counts.scanned,
    rotated: counts.rotated,
    skipped: counts.skipped,
    failed: counts.failed,
    failures: outcome.failures,
    seconds: after.seconds,
    backupPath: run.backupPath,
    // A run cancelled before its first checkpoint (no canaries yet) left nothing to resume.
    checkpointPath: stopped && !plan.dryRun && plan.canaries ? plan.checkpointPath : null,
    derivations:
      pipeline.counts.derivations +
      (sweep?.derivations ?? 0) +
      (newPasswordSample?.derivations ?? 0),
    derivationsDiscarded: pipeline.counts.derivationsDiscarded,
    // The sample's results the pass took are the pass's derivations (counted there, once).
    checkDerivations: plan.checkDerivations - reused,
    derivationsReused: reused,
    opened: counts.opened,
    resumed: plan.previous !== null,
    thisRun: {
      scanned: thisRun.scanned,
      rotated: thisRun.rotated,
      skipped: thisRun.skipped,
      failed: thisRun.failed,
      opened: thisRun.opened,
    },
    coverage: run.coverage,
    ...(sweep && { sweep: sweepSummary(sweep) }),
    ...(plan.triggers.length > 0 && { triggers: plan.triggers }),
    workers: plan.pool.size,
    kdfBackend: plan.pool.backend,
    driver: plan.store.driver,
    notes,
    ...(newPasswordSample && {
      newPasswordSample: { sampled: newPasswordSample.sampled, opened: newPasswordSample.opened },
    }),
  };
}

export function sweepSummary(report: SweepReport): RotationSweep {
  const { rounds, examined, changed, inserted, deleted, rotated, stillWriting } = report;
  return { rounds, examined, changed, inserted, deleted, rotated, stillWriting };
}

export function rotationStatus(run: {
  readonly stopped: boolean;
  readonly stillWriting: boolean;
  readonly undoneWrites: number;
  /** over all runs of this rotation */
  readonly opened: number;
  readonly skippedThisRun: number;
}): RotationStatus {
  if (run.stopped) return 'cancelled';
  if (run.stillWriting || run.undoneWrites > 0) return 'incomplete';
  if (run.opened === 0 && run.skippedThisRun > 0) return 'nothing-opened';
  return 'completed';
}

/** What people should know about how the run went. */
export function closingNotes(run: {
  readonly removedTemporaries: readonly string[];
  readonly dryRun: boolean;
  readonly scope: RecordScope;
  readonly triggers: readonly string[];
  readonly undoneWrites: number;
  readonly stillWriting: boolean;
}): string[] {
  const { removedTemporaries, dryRun, triggers } = run;
  const notes: string[] = [];
  if (removedTemporaries.length > 0) {
    notes.push(
      `Removed ${removedTemporaries.length} temporary file(s) an interrupted run had left: ` +
        `${removedTemporaries.map((path) => basename(path)).join(', ')}.`,
    );
  }
  if (dryRun) {
    notes.push(
      'Dry run: nothing was written and no backup was taken. Records that would rotate were opened but not ' +
        're-encrypted, which saves one Argon2id derivation each; the real rotation needs one more per record.',
    );
  }
  notes.push(...scopeNotes(run.scope));
  if (triggers.length > 0) {
    notes.push(`The table's trigger(s) ran on every rotated record: ${triggers.join(', ')}.`);
  }
  if (run.undoneWrites > 0) {
    notes.push(
      `A trigger changed ${run.undoneWrites} record(s) right after the rotation wrote them: they may ` +
        'still open with the old password. Review the trigger(s), then run the rotation again.',
    );
  }
  if (run.stillWriting) {
    notes.push(
      'Another program kept writing records under the old password while the rotation ran. Stop the application ' +
        '(or switch it to the new password), then run the rotation again.',
    );
  }
  return notes;
}
