/**
 * "Verify…": open a sample of records with a password. The password is
 * wiped from the store as soon as the check is sent.
 */
import type { Argon2Choice, IpcError, VerifyResult } from '../../shared/ipc-contract.js';
import {
  choiceFromDraft,
  DEFAULT_CRYPTO_DRAFT,
  draftFromChoice,
  type CryptoDraft,
} from '../lib/argon2-choices.js';
import type { SliceCreator } from './types.js';

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
  | { status: 'running' }
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
}

const INITIAL_VERIFY_DRAFT: VerifyDraft = {
  password: '',
  crypto: DEFAULT_CRYPTO_DRAFT,
  sampleSize: DEFAULT_VERIFY_SAMPLE,
};

export const createVerifySlice: SliceCreator<VerifySlice> = (set, get, api) => {
  let ticket = 0;
  return {
    verifyTarget: null,
    verifyDraft: INITIAL_VERIFY_DRAFT,
    verifyState: { status: 'idle' },

    openVerify(options = {}) {
      const { vault, selectedTable, result } = get();
      const table = result?.table ?? selectedTable;
      if (!vault || !table) return;
      set({
        verifyTarget: { vault: vault.handle, table, purpose: options.purpose ?? 'any' },
        verifyDraft: {
          ...INITIAL_VERIFY_DRAFT,
          crypto: options.crypto ? draftFromChoice(options.crypto) : DEFAULT_CRYPTO_DRAFT,
        },
        verifyState: { status: 'idle' },
      });
    },

    closeVerify() {
      const { verifyTarget, verifyState } = get();
      // Closing the dialog is its Cancel: a check still running stops after its batch.
      if (verifyTarget && verifyState.status === 'running')
        void api.cancelVaultJob({ vault: verifyTarget.vault, job: 'verify' });
      ticket += 1;
      set({
        verifyTarget: null,
        verifyDraft: INITIAL_VERIFY_DRAFT,
        verifyState: { status: 'idle' },
      });
    },

    updateVerifyDraft(patch) {
      set({ verifyDraft: { ...get().verifyDraft, ...patch } });
    },

    async runVerify() {
      const { verifyTarget, verifyDraft } = get();
      const crypto = choiceFromDraft(verifyDraft.crypto);
      if (!verifyTarget || !crypto || verifyDraft.password.length === 0) return;
      const current = (ticket += 1);
      const request = {
        vault: verifyTarget.vault,
        table: verifyTarget.table,
        password: verifyDraft.password,
        crypto,
        ...(verifyDraft.sampleSize === null ? {} : { sampleSize: verifyDraft.sampleSize }),
      };
      set({ verifyDraft: { ...verifyDraft, password: '' }, verifyState: { status: 'running' } });
      const response = await api.verify(request);
      if (current !== ticket) return;
      set({
        verifyState: response.ok
          ? { status: 'done', result: response.value }
          : { status: 'error', error: response.error },
      });
    },
  };
};
