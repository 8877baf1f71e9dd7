/**
 * What the OS shows about a running rotation: task bar / dock progress and a
 * notification when a long one ends. Pure, so it is tested without Electron.
 * No text here may contain a secret: only counts and the file name.
 */
import { interpretResult } from '../../core/verdict.js';
import type { DistributedProgress, RotationProgress, RotationResult } from '../../engine/index.js';
import type { IpcError } from '../../shared/ipc-contract.js';

/** Rotations shorter than this end while the person is still watching: no notification. */
export const NOTIFY_AFTER_MS = 10_000;

/** BrowserWindow.setProgressBar value: 0..1, or 2 for "working, amount unknown". */
export function progressBarValue(progress: RotationProgress): number {
  if (progress.total <= 0 || progress.phase === 'validating' || progress.phase === 'backing-up')
    return 2;
  return Math.min(1, Math.max(0, progress.scanned / progress.total));
}

/** The same for a distributed rotation: the whole rotation's records, read from the ledger. */
export function distributedProgressBarValue(progress: DistributedProgress): number {
  if (progress.total <= 0 || progress.phase === 'planning') return 2;
  return Math.min(1, Math.max(0, progress.scanned / progress.total));
}

/** setProgressBar(-1) removes the bar. */
export const NO_PROGRESS_BAR = -1;

export function shouldNotify(startedAt: number, endedAt: number): boolean {
  return endedAt - startedAt >= NOTIFY_AFTER_MS;
}

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** Titles follow the shared verdict (core/verdict.ts); a notification says "rotation" since it stands alone. */
export function resultNotification(fileName: string, result: RotationResult): NotificationText {
  const counts = `${plural(result.rotated, 'record')} rotated, ${result.skipped} skipped, ${result.failed} failed`;
  const verdict = interpretResult(result);
  switch (verdict.kind) {
    case 'rotated':
      return { title: 'Password rotation finished', body: `${fileName}: ${counts}.` };
    case 'dry-run':
      return { title: verdict.title, body: `${fileName}: ${counts}.` };
    case 'incomplete':
      return {
        title: 'Password rotation not complete',
        body: `${fileName}: ${counts}. Some records may still open with the old password: see the result.`,
      };
    case 'cancelled':
      return {
        title: verdict.title,
        body: `${fileName}: ${counts}. You can resume it from the app.`,
      };
    case 'already-rotated':
      return {
        title: verdict.title,
        body: `${fileName}: no record opened with the old password, but sampled records open with the new one.`,
      };
    case 'nothing-opened':
      return {
        title: 'Password rotation found nothing to rotate',
        body: `${fileName}: no record opened with the old password. Check the password and the Argon2id settings.`,
      };
  }
}

export function errorNotification(fileName: string, error: IpcError): NotificationText {
  return { title: 'Password rotation stopped', body: `${fileName}: ${error.message}` };
}

/** What quitting during a rotation asks (the quit guard's dialog). */
export function stopRotationText(distributed: boolean): { message: string; detail: string } {
  if (distributed) {
    return {
      message: 'This app coordinates a distributed rotation. Cancel it on every machine and quit?',
      detail:
        'Every worker stops after its batch; committed batches are kept in the ledger. Every record ' +
        'opens with the old or the new password, and you can resume the rotation later from this app ' +
        '(or with rotate --queue --resume).',
    };
  }
  return {
    message: 'A password rotation is still running. Stop it and quit?',
    detail:
      'It stops after the batch in progress. The vault stays consistent: every record opens with the old or the new ' +
      'password, and you can resume the rotation later from where it stopped.',
  };
}
