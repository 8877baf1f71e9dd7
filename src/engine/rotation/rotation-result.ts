/**
 * After a rotation ran: counts summed over resumed runs, the coverage proof,
 * the status and the notes for people.
 */
import { basename } from 'node:path';
import { EngineError } from '../errors.js';
import type { CheckpointCounts } from './checkpoint.js';
import type { CommittedCounts } from './pipeline.js';
import type { SweepReport } from './sweep.js';
import type { RotationCoverage, RotationStatus, RotationSweep } from './types.js';

export const NO_COUNTS: CheckpointCounts = {
  scanned: 0,
  rotated: 0,
  skipped: 0,
  failed: 0,
  opened: 0,
  bytes: 0,
};

export function sumCounts(base: CheckpointCounts, run: CommittedCounts): CheckpointCounts {
  return {
    scanned: base.scanned + run.scanned,
    rotated: base.rotated + run.rotated,
    skipped: base.skipped + run.skipped,
    failed: base.failed + run.failed,
    opened: base.opened + run.opened,
    bytes: base.bytes + run.bytes,
  };
}

/** A rotation may only say completed if it visited every record in scope exactly once. */
export function assertCovered(coverage: RotationCoverage, table: string): void {
  if (coverage.foreignWrites || coverage.visited === coverage.rowsAtStart) return;
  throw new EngineError(
    'INTERNAL',
    `The rotation visited ${coverage.visited} record(s) of table ${table} but ${coverage.rowsAtStart} were there ` +
      'when it started, and no other program wrote to the vault: it cannot say every record was rotated. ' +
      'Committed batches are kept and verified; please report this, and run the rotation again.',
  );
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
  readonly includeSoftDeleted: boolean;
  readonly triggers: readonly string[];
  readonly undoneWrites: number;
  readonly stillWriting: boolean;
}): string[] {
  const { removedTemporaries, dryRun, includeSoftDeleted, triggers } = run;
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
  if (!includeSoftDeleted) {
    notes.push(
      'Soft-deleted records were left as they were: any of them under the old password still opens with it.',
    );
  }
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
