/**
 * "Verify…": open a sample of records with a password, as a job with an id
 * of ours. What the slice holds, how it starts, and how to read it.
 */
import type {
  Argon2Choice,
  CheckEvent,
  IpcError,
  VerifyProgress,
  VerifyResult,
} from '../../shared/ipc-contract.js';
import { DEFAULT_CRYPTO_DRAFT, type CryptoDraft } from '../lib/argon2-choices.js';

/** Enough to notice a wrong password or preset without waiting for every record. */
export const DEFAULT_VERIFY_SAMPLE = 32;

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

export interface VerifyData {
  verifyTarget: VerifyTarget | null;
  verifyDraft: VerifyDraft;
  verifyState: VerifyState;
}

export interface VerifySlice extends VerifyData {
  openVerify(options?: { crypto?: Argon2Choice; purpose?: VerifyTarget['purpose'] }): void;
  closeVerify(): void;
  updateVerifyDraft(patch: Partial<VerifyDraft>): void;
  runVerify(): Promise<void>;
  /** stops the running check; its answer (counts so far, `cancelled: true`) is shown */
  cancelVerify(): void;
  handleVerifyProgress(event: Extract<CheckEvent, { type: 'verify-progress' }>): void;
}

export const INITIAL_VERIFY_DRAFT: VerifyDraft = {
  password: '',
  crypto: DEFAULT_CRYPTO_DRAFT,
  sampleSize: DEFAULT_VERIFY_SAMPLE,
};

export const INITIAL_VERIFY_STATE: VerifyData = {
  verifyTarget: null,
  verifyDraft: INITIAL_VERIFY_DRAFT,
  verifyState: { status: 'idle' },
};
