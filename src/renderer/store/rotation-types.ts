/**
 * The rotation slice's state and actions as types, apart from its code
 * (rotation-slice.ts, which re-exports them): types.ts composes AppState from
 * these files, so no slice's code is part of an import cycle.
 */
import type {
  CheckEvent,
  IpcError,
  PreflightProgress,
  PreflightResult,
  RotationEvent,
  RotationProgress,
  RotationResult,
} from '../../shared/ipc-contract.js';
import type { CryptoDraft } from '../lib/argon2-choices.js';
import type { PasswordRules } from '../lib/password-policy.js';
import type { JobSettings } from '../lib/report.js';

export type RotationStatus =
  | 'idle'
  | 'configuring'
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

export type PreflightState =
  | { status: 'idle' }
  | {
      status: 'running';
      /** made here and sent with the call, so progress events can be matched at once */
      jobId: string;
      /** the latest progress event; null until the first arrives */
      progress: PreflightProgress | null;
    }
  | { status: 'done'; result: PreflightResult }
  | { status: 'error'; error: IpcError };

export interface RotationJob {
  /** made here (crypto.randomUUID) and sent with startRotation, so every event can be matched at once */
  jobId: string;
  settings: JobSettings;
}

export interface RotationSlice {
  rotationStatus: RotationStatus;
  draft: RotationDraft;
  preflight: PreflightState;
  job: RotationJob | null;
  /** the latest progress event; views read it throttled */
  progress: RotationProgress | null;
  result: RotationResult | null;
  finishedAt: Date | null;
  rotationError: IpcError | null;
  /** a problem that did not stop the job (e.g. cancel refused) */
  rotationNotice: IpcError | null;
  cancelConfirmOpen: boolean;
  /** the confirmation of "Rotate anyway" (a scan the check says will open nothing) is shown */
  scanAnywayConfirmOpen: boolean;
  openRotateDialog(options?: { resume?: boolean; restart?: boolean }): void;
  closeRotateDialog(): void;
  updateDraft(patch: Partial<RotationDraft>): void;
  runPreflight(): Promise<void>;
  /** stops the running pre-flight and forgets it (a partial sample says nothing reliable) */
  cancelPreflight(): void;
  handlePreflightProgress(event: Extract<CheckEvent, { type: 'preflight-progress' }>): void;
  /** switches the Argon2id choice to the preset the pre-flight found, and checks again */
  applySuggestedPreset(): Promise<void>;
  /**
   * The dialog's submit (Start, or Enter in a field): starts a rotation only
   * after a check of the current inputs came back green (a resume: at once,
   * its canaries prove the passwords). With no such check yet, runs it and
   * starts when it passes; a red check starts nothing.
   */
  submitRotateDialog(): Promise<void>;
  /** starts the job now; scanAnyway only after a refused check, once confirmed */
  startRotation(options?: { scanAnyway?: boolean }): Promise<void>;
  requestScanAnyway(): void;
  dismissScanAnyway(): void;
  confirmScanAnyway(): Promise<void>;
  handleRotationEvent(event: RotationEvent): void;
  requestCancel(): void;
  dismissCancel(): void;
  confirmCancel(): Promise<void>;
  /** leaves a finished, cancelled or failed job and re-reads the vault */
  backToVault(): void;
}
