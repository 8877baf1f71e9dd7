/**
 * The one reading of a rotation result that the CLI, the app's screens, its
 * notifications and the exported report all show: so "looks already rotated"
 * and "incomplete" mean the same everywhere. Node-free and DOM-free.
 */
import { formatCount } from './units.js';
import type { NewPasswordSample, RotationResult } from './types.js';

export type VerdictTone = 'success' | 'warning' | 'error';

/** What happened, one word a program can switch on. */
export type VerdictKind =
  'rotated' | 'dry-run' | 'cancelled' | 'incomplete' | 'already-rotated' | 'nothing-opened';

/** The CLI exit code class (keys of the CLI's EXIT table). */
export type VerdictExitClass = 'ok' | 'cancelled' | 'incomplete' | 'nothingOpened';

export interface Verdict {
  readonly kind: VerdictKind;
  readonly tone: VerdictTone;
  /** a heading: "Password rotated", "This vault looks already rotated", ... */
  readonly title: string;
  /** one sentence for a person, counts included; no secret */
  readonly explanation: string;
  /** records of the table may still open with the old password after this run */
  readonly oldPasswordMayStillOpen: boolean;
  readonly exitClass: VerdictExitClass;
}

export type VerdictInput = Pick<
  RotationResult,
  'status' | 'dryRun' | 'rotated' | 'skipped' | 'newPasswordSample' | 'checkpointPath' | 'notes'
>;

/** "1,234": the same digits in the CLI and the app (core/units.ts). */
export const formatCountForPeople = formatCount;

/** The new password already opens sampled records (nothing opened with the old one): an earlier run completed. */
export function newPasswordOpensSample(sample: NewPasswordSample | undefined): boolean {
  return (sample?.opened ?? 0) > 0;
}

/**
 * A resume found the rotation already completed (its pass opened nothing
 * with the old password, the new one opens sampled records): success.
 */
export function foundAlreadyCompleted(
  result: Pick<RotationResult, 'status' | 'dryRun' | 'newPasswordSample'>,
): boolean {
  return (
    result.status === 'completed' &&
    !result.dryRun &&
    newPasswordOpensSample(result.newPasswordSample)
  );
}

export function looksAlreadyRotated(
  result: Pick<RotationResult, 'status' | 'newPasswordSample'>,
): boolean {
  return result.status === 'nothing-opened' && newPasswordOpensSample(result.newPasswordSample);
}

/** "5 of 8 sampled records already open with the new password" */
export function alreadyOpenText(sample: NewPasswordSample): string {
  return `${formatCountForPeople(sample.opened)} of ${formatCountForPeople(sample.sampled)} sampled records already open with the new password`;
}

export function interpretResult(result: VerdictInput): Verdict {
  const count = formatCountForPeople;
  switch (result.status) {
    case 'completed':
      if (result.dryRun) {
        return {
          kind: 'dry-run',
          tone: 'success',
          title: 'Dry run finished',
          explanation: `${count(result.rotated)} records would be rotated. Nothing was written.`,
          oldPasswordMayStillOpen: true,
          exitClass: 'ok',
        };
      }
      if (foundAlreadyCompleted(result)) {
        return {
          kind: 'already-rotated',
          tone: 'success',
          title: 'Already rotated',
          explanation: `An earlier run completed this rotation: no record opens with the current password any more, and ${alreadyOpenText(result.newPasswordSample!)}. Nothing was changed.`,
          oldPasswordMayStillOpen: false,
          exitClass: 'ok',
        };
      }
      return {
        kind: 'rotated',
        tone: 'success',
        title: 'Password rotated',
        explanation:
          result.skipped > 0
            ? `${count(result.rotated)} records now open with the new password. ${count(result.skipped)} did not open with the current one and were left as they were.`
            : `${count(result.rotated)} records now open with the new password.`,
        oldPasswordMayStillOpen: false,
        exitClass: 'ok',
      };
    case 'cancelled':
      return {
        kind: 'cancelled',
        tone: 'warning',
        title: 'Password rotation cancelled',
        explanation: result.dryRun
          ? 'Nothing was written (dry run).'
          : `${count(result.rotated)} records already open with the new password; the rest still open with the current one. ` +
            (result.checkpointPath ? 'The rotation can be resumed.' : 'Start it again to finish.'),
        oldPasswordMayStillOpen: true,
        exitClass: 'cancelled',
      };
    case 'incomplete':
      return {
        kind: 'incomplete',
        tone: 'warning',
        title: 'Not complete: some records may still open with the old password',
        // The engine's notes say what is left and why; without them, the general story.
        explanation:
          `${count(result.rotated)} records now open with the new password. ` +
          (result.notes?.length
            ? result.notes.join(' ')
            : 'Another program kept writing under the old password (or a trigger undid writes): run the rotation again once that is fixed.'),
        oldPasswordMayStillOpen: true,
        exitClass: 'incomplete',
      };
    case 'nothing-opened': {
      const sample = result.newPasswordSample;
      if (sample && newPasswordOpensSample(sample)) {
        return {
          kind: 'already-rotated',
          tone: 'warning',
          title: 'This vault looks already rotated',
          explanation: `Nothing was changed: no record opened with the current password, but ${alreadyOpenText(sample)}, so a previous rotation probably completed. Verify the vault with the new password to be sure.`,
          oldPasswordMayStillOpen: false,
          exitClass: 'nothingOpened',
        };
      }
      return {
        kind: 'nothing-opened',
        tone: 'error',
        title: 'No record opened with the current password',
        explanation:
          'Nothing was changed. The current password or the Argon2id preset is probably not the one the application uses. Check both, then rotate again.',
        oldPasswordMayStillOpen: false,
        exitClass: 'nothingOpened',
      };
    }
  }
}
