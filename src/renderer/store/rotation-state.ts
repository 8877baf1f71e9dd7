/**
 * One rotation, from the dialog to its result:
 * idle → configuring → checking → running → cancelling → cancelled,
 * or → completed / nothing-opened / error; a refused check goes back to
 * configuring. A resume or a distributed job goes through starting instead
 * of checking.
 * Passwords live in `draft` only while the dialog is open: a fresh job's are
 * wiped once its own check has passed (rotation-check.ts), a resumed or
 * distributed job's the moment it is handed to the engine.
 * What the slice holds, how it starts, and how to read it.
 */
import type {
  DistributedProgress,
  DistributedProgressEvent,
  IpcError,
  IpcResult,
  RotationEvent,
  RotationPreflightEvent,
  RotationProgress,
  RotationResult,
} from '../../shared/ipc-contract.js';
import { choiceFromDraft, DEFAULT_CRYPTO_DRAFT, type CryptoDraft } from '../lib/argon2-choices.js';
import {
  checkNewPassword,
  MIN_PASSWORD_BYTES,
  NO_PASSWORD_RULES,
  type NewPasswordPolicy,
  type PasswordRules,
} from '../lib/password-policy.js';
import { EMPTY_RATE_HISTORY, type RateHistory } from '../lib/rate-history.js';
import type { JobSettings } from '../lib/report.js';
import {
  preflightRefuses,
  preflightRefusesScan,
  type PreflightData,
  type PreflightState,
} from './preflight-state.js';
import type { VaultData } from './vault-state.js';

export type RotationStatus =
  | 'idle'
  | 'configuring'
  /** a fresh job's own check (its pre-flight) runs; the dialog stays open */
  | 'checking'
  | 'starting'
  | 'running'
  | 'cancelling'
  | 'cancelled'
  | 'completed'
  | 'nothing-opened'
  | 'incomplete'
  | 'error';

export interface RotationDraft {
  oldPassword: string;
  newPassword: string;
  confirmPassword: string;
  crypto: CryptoDraft;
  /**
   * Argon2id config for the written values when it differs from `crypto`;
   * null: the same. Only a resumed rotation that was started that way has one.
   */
  newCrypto: CryptoDraft | null;
  /** the vault's optional character rules for the new password */
  passwordRules: PasswordRules;
  includeSoftDeleted: boolean;
  backup: boolean;
  dryRun: boolean;
  /** continue an interrupted rotation of this table */
  resume: boolean;
  /** discard the interrupted rotation of this table and start over */
  restart: boolean;
}

export interface RotationJob {
  /** made here (crypto.randomUUID) and sent with startRotation, so every event can be matched at once */
  jobId: string;
  settings: JobSettings;
}

export interface RotationData {
  rotationStatus: RotationStatus;
  draft: RotationDraft;
  /** the last job started; a resume in this session repeats its settings */
  job: RotationJob | null;
  /** the latest progress event; views read it throttled */
  progress: RotationProgress | null;
  /** a distributed job's latest ledger reading (its `progress` stays null) */
  distributedProgress: DistributedProgress | null;
  /** main's clock at that reading, and at the job's first one (ms since the epoch) */
  progressAtMs: number | null;
  firstProgressAtMs: number | null;
  /** records/s over time, for the rate chart (one machine or all of them) */
  rateHistory: RateHistory;
  result: RotationResult | null;
  finishedAt: Date | null;
  rotationError: IpcError | null;
  /** a problem that did not stop the job (e.g. cancel refused) */
  rotationNotice: IpcError | null;
  cancelConfirmOpen: boolean;
  /** the confirmation of "Rotate anyway" (a scan the check says will open nothing) is shown */
  scanAnywayConfirmOpen: boolean;
}

export interface RotationSlice extends RotationData {
  /** distributed: with "Use other machines too" on (a resume of a distributed rotation) */
  openRotateDialog(options?: { resume?: boolean; restart?: boolean; distributed?: boolean }): void;
  closeRotateDialog(): void;
  updateDraft(patch: Partial<RotationDraft>): void;
  /**
   * The dialog's submit (Start, or Enter in a field): starts the rotation,
   * whose own check is the pre-flight (a resume: none, its canaries prove the
   * passwords); a refused check ends the job before anything is written. With
   * the new password not done yet, Enter checks the current one only.
   */
  submitRotateDialog(): Promise<void>;
  /** starts the job now; scanAnyway only after a refused check, once confirmed */
  startRotation(options?: { scanAnyway?: boolean }): Promise<void>;
  requestScanAnyway(): void;
  dismissScanAnyway(): void;
  confirmScanAnyway(): Promise<void>;
  /**
   * Hands a job to main with `call`, on one machine or many: a resume at once (its passwords leave
   * the store), a fresh job with its own check shown as the pre-flight (rotation-check.ts).
   */
  launchJob(
    settings: JobSettings,
    how: { resume: boolean; scanAnyway: boolean },
    call: (jobId: string) => Promise<IpcResult<unknown>>,
  ): Promise<void>;
  /** a distributed progress only ends a Start's check that never ran (a re-attached coordinator) */
  handleRotationEvent(
    event: RotationEvent | RotationPreflightEvent | DistributedProgressEvent,
  ): void;
  requestCancel(): void;
  dismissCancel(): void;
  confirmCancel(): Promise<void>;
  /** leaves a finished, cancelled or failed job and re-reads the vault */
  backToVault(): void;
}

export const EMPTY_PASSWORDS = { oldPassword: '', newPassword: '', confirmPassword: '' } as const;

export const INITIAL_DRAFT: RotationDraft = {
  ...EMPTY_PASSWORDS,
  crypto: DEFAULT_CRYPTO_DRAFT,
  newCrypto: null,
  passwordRules: NO_PASSWORD_RULES,
  includeSoftDeleted: true,
  backup: true,
  dryRun: false,
  resume: false,
  restart: false,
};

export const INITIAL_ROTATION_STATE: RotationData = {
  rotationStatus: 'idle',
  draft: INITIAL_DRAFT,
  job: null,
  progress: null,
  distributedProgress: null,
  progressAtMs: null,
  firstProgressAtMs: null,
  rateHistory: EMPTY_RATE_HISTORY,
  result: null,
  finishedAt: null,
  rotationError: null,
  rotationNotice: null,
  cancelConfirmOpen: false,
  scanAnywayConfirmOpen: false,
};

const ACTIVE: ReadonlySet<RotationStatus> = new Set([
  'checking',
  'starting',
  'running',
  'cancelling',
]);

export function isJobActive(status: RotationStatus): boolean {
  return ACTIVE.has(status);
}

export interface DraftValidity {
  policy: NewPasswordPolicy;
  cryptoValid: boolean;
  tableChosen: boolean;
  oldPasswordGiven: boolean;
  canPreflight: boolean;
  /** the pre-flight refused the rotation (no v2 record opens, or nothing opens at all) */
  preflightRefused: boolean;
  /** the pre-flight passed for the current inputs */
  preflightPassed: boolean;
  canStart: boolean;
  /** "Rotate anyway" may be offered: the check refused a scan that it expects to open nothing */
  canScanAnyway: boolean;
}

export function draftValidity(
  draft: RotationDraft,
  tableChosen: boolean,
  configuring: boolean,
  preflight: PreflightState = { status: 'idle' },
): DraftValidity {
  const policy = checkNewPassword(
    draft.oldPassword,
    draft.newPassword,
    draft.confirmPassword,
    MIN_PASSWORD_BYTES,
    draft.passwordRules,
  );
  const cryptoValid =
    choiceFromDraft(draft.crypto) !== null &&
    (draft.newCrypto === null || choiceFromDraft(draft.newCrypto) !== null);
  const oldPasswordGiven = draft.oldPassword.length > 0;
  const canPreflight = tableChosen && cryptoValid && oldPasswordGiven;
  const preflightRefused = preflightRefuses(preflight);
  const ready = configuring && canPreflight && policy.ok;
  return {
    policy,
    cryptoValid,
    tableChosen,
    oldPasswordGiven,
    canPreflight,
    preflightRefused,
    preflightPassed: preflight.status === 'done' && preflight.result.canRotate,
    canStart: ready && !preflightRefused,
    canScanAnyway: ready && !draft.resume && preflightRefusesScan(preflight),
  };
}

export function selectDraftValidity(
  state: RotationData & PreflightData & Pick<VaultData, 'vault' | 'selectedTable'>,
): DraftValidity {
  return draftValidity(
    state.draft,
    state.vault !== null && state.selectedTable !== null,
    state.rotationStatus === 'configuring',
    state.preflight,
  );
}

export const selectProgress = (state: RotationData) => state.progress;
export const selectRateHistory = (state: RotationData) => state.rateHistory;
