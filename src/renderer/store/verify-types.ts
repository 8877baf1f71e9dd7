/**
 * The "Verify…" slice's state and actions as types, apart from its code
 * (verify-slice.ts, which re-exports them): types.ts composes AppState from
 * these files, so no slice's code is part of an import cycle.
 */
import type {
  Argon2Choice,
  CheckEvent,
  IpcError,
  VerifyProgress,
  VerifyResult,
} from '../../shared/ipc-contract.js';
import type { CryptoDraft } from '../lib/argon2-choices.js';

export interface VerifyDraft {
  password: string;
  crypto: CryptoDraft;
  /** null = every record */
  sampleSize: number | null;
}

export type VerifyState =
  | { status: 'idle' }
  | {
      status: 'running';
      /** made here and sent with the call, so progress events can be matched at once */
      jobId: string;
      /** the latest progress event; null until the first arrives */
      progress: VerifyProgress | null;
      /** Cancel was pressed: the check stops after the records in flight, then answers */
      cancelling: boolean;
    }
  | { status: 'done'; result: VerifyResult }
  | { status: 'error'; error: IpcError };

export interface VerifyTarget {
  /** the open vault's handle */
  vault: string;
  table: string;
  /** 'new-password' after a rotation: the wording asks for the new one */
  purpose: 'new-password' | 'any';
}

export interface VerifySlice {
  verifyTarget: VerifyTarget | null;
  verifyDraft: VerifyDraft;
  verifyState: VerifyState;
  openVerify(options?: { crypto?: Argon2Choice; purpose?: VerifyTarget['purpose'] }): void;
  closeVerify(): void;
  updateVerifyDraft(patch: Partial<VerifyDraft>): void;
  runVerify(): Promise<void>;
  /** stops the running check; its answer (counts so far, `cancelled: true`) is shown */
  cancelVerify(): void;
  handleVerifyProgress(event: Extract<CheckEvent, { type: 'verify-progress' }>): void;
}
