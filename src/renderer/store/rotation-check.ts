/**
 * A fresh Start, on one machine or with other machines too: the rotation job
 * (or the distributed coordinator) starts at once, and its own check is the
 * pre-flight the dialog shows (one check per Start, on the job's pool; no
 * separate check job). The dialog stays open while it
 * runs: its progress fills the pre-flight panel, its result follows, and then
 * either the pass goes on (progress screen) or the job's error, a refusal,
 * brings the dialog back with the same choices as a refused check.
 *
 * The passwords stay in the store until the check has passed, then leave it
 * (before any record is written): a refused or cancelled check, or a job that
 * could not start, leaves nothing written, and the person fixes the one input
 * that was wrong (or confirms "Rotate anyway") without typing both passwords
 * again, as after a refused check before.
 */
import type {
  DistributedProgressEvent,
  IpcError,
  IpcResult,
  PreflightResult,
  RotationEvent,
  RotationPreflightEvent,
} from '../../shared/ipc-contract.js';
import { CHECK_REFUSAL_CODES } from '../../core/error-codes.js';
import type { JobSettings } from '../lib/report.js';
import { INITIAL_PREFLIGHT_STATE, preflightRefusesScan } from './preflight-state.js';
import { withoutPasswords } from './rotation-launch.js';
import { INITIAL_ROTATION_STATE } from './rotation-state.js';
import type { AppStore } from './types.js';

export interface CheckedStart {
  /** starts the job with `call`; its check runs with the dialog open */
  start(
    settings: JobSettings,
    scanAnyway: boolean,
    call: (jobId: string) => Promise<IpcResult<unknown>>,
  ): Promise<void>;
  /**
   * An event of a job started here while its check runs; true when it was
   * handled (the caller applies the others as usual).
   */
  handle(event: RotationEvent | RotationPreflightEvent | DistributedProgressEvent): boolean;
}

export function createCheckedStart(
  set: AppStore['setState'],
  get: AppStore['getState'],
  cancel: (jobId: string) => Promise<unknown>,
): CheckedStart {
  /** the job whose check runs, and whether "Rotate anyway" started it */
  let checking: { jobId: string; scanAnyway: boolean } | null = null;
  /** each started job's end (its result or error event, or its check passed): until then it holds the vault */
  const ends = new Map<string, () => void>();

  const isShown = (jobId: string): boolean => {
    const { rotationStatus, job } = get();
    return rotationStatus === 'checking' && job?.jobId === jobId;
  };

  const ended = (jobId: string): void => {
    ends.get(jobId)?.();
    ends.delete(jobId);
    if (checking?.jobId === jobId) checking = null;
  };

  /**
   * The check let the pass start: the passwords leave the store now, before anything is written.
   * The vault is no longer held for a next check: while the job runs, nothing can start one.
   */
  const passed = (jobId: string): void => {
    ended(jobId);
    set({ ...withoutPasswords(get()), rotationStatus: 'running', scanAnywayConfirmOpen: false });
  };

  /** Back to the dialog, nothing written, passwords kept: the check's verdict (or the error) shown. */
  const backToDialog = (error: IpcError | null): void => {
    const { preflight } = get();
    const refusal =
      preflight.status === 'done' && error !== null && CHECK_REFUSAL_CODES.has(error.code);
    set({
      rotationStatus: 'configuring',
      preflight:
        error === null
          ? INITIAL_PREFLIGHT_STATE.preflight
          : refusal
            ? preflight
            : { status: 'error', error, fromStart: true },
    });
  };

  const goesOn = (result: PreflightResult, scanAnyway: boolean): boolean =>
    !result.cancelled &&
    (result.canRotate ||
      (scanAnyway && preflightRefusesScan({ status: 'done', result, fromStart: true })));

  return {
    async start(settings, scanAnyway, call) {
      const jobId = globalThis.crypto.randomUUID();
      get().abandonPreflight();
      const { draft } = get();
      set({
        ...INITIAL_ROTATION_STATE,
        draft,
        rotationStatus: 'checking',
        job: { jobId, settings },
        preflight: { status: 'running', jobId, progress: null },
      });
      // A check (or an earlier Start's) cancelled just above still holds the vault until it has stopped.
      await get().preflightSettled();
      if (!isShown(jobId)) return; // abandoned before it reached main: nothing to stop
      checking = { jobId, scanAnyway };
      get().holdVaultUntil(new Promise<void>((resolve) => ends.set(jobId, resolve)));
      const response = await call(jobId);
      if (!response.ok) {
        ended(jobId);
        if (isShown(jobId)) backToDialog(response.error);
        return;
      }
      // Abandoned while main was starting it: that cancel found no job there, so send it again.
      const abandoned = checking?.jobId === jobId && !isShown(jobId);
      if (abandoned) await cancel(jobId);
    },

    handle(event) {
      const own = checking?.jobId === event.jobId;
      if (event.type === 'result' || event.type === 'error') {
        const wasChecking = own && isShown(event.jobId);
        ended(event.jobId);
        if (!wasChecking) return false;
        if (event.type === 'error') {
          backToDialog(event.error);
          return true;
        }
        // Cancelled during its check: nothing was written; the dialog is as the person left it.
        if (event.result.status === 'cancelled') {
          backToDialog(null);
          return true;
        }
        passed(event.jobId); // ended without a check (e.g. an empty table): shown as a result
        return false;
      }
      // A coordinator that re-attached to a rotation already running ran no check: it goes on.
      if (event.type === 'distributed-progress') {
        if (own && isShown(event.jobId)) passed(event.jobId);
        return false;
      }
      if (event.type !== 'preflight-result' || !own || !isShown(event.jobId)) return false;
      set({ preflight: { status: 'done', result: event.result, fromStart: true } });
      if (goesOn(event.result, checking!.scanAnyway)) passed(event.jobId);
      // Otherwise the job's error (the refusal) or its cancelled result follows.
      return true;
    },
  };
}
