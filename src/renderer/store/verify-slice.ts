/**
 * "Verify…": open a sample of records with a password, as a job with an id
 * of ours: progress events fill `verifyState.progress`, Cancel stops it. The
 * password is wiped from the store as soon as the check is sent.
 */
import { choiceFromDraft, DEFAULT_CRYPTO_DRAFT, draftFromChoice } from '../lib/argon2-choices.js';
import type { SliceCreator } from './types.js';
import { INITIAL_VERIFY_DRAFT, INITIAL_VERIFY_STATE, type VerifySlice } from './verify-state.js';

export const createVerifySlice: SliceCreator<VerifySlice> = (set, get, api) => {
  let ticket = 0;
  return {
    ...INITIAL_VERIFY_STATE,

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
        verifyState: INITIAL_VERIFY_STATE.verifyState,
      });
    },

    closeVerify() {
      const { verifyState } = get();
      // Closing the dialog is its Cancel: a check still running stops after its batch.
      if (verifyState.status === 'running') void api.cancelJob(verifyState.jobId);
      ticket += 1;
      set(INITIAL_VERIFY_STATE);
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
      const jobId = globalThis.crypto.randomUUID();
      // The password leaves the store here, before main even answers.
      set({
        verifyDraft: { ...verifyDraft, password: '' },
        verifyState: { status: 'running', jobId, progress: null, cancelling: false },
      });
      const response = await api.verify(request, jobId);
      if (current !== ticket) return;
      set({
        verifyState: response.ok
          ? { status: 'done', result: response.value }
          : { status: 'error', error: response.error },
      });
    },

    cancelVerify() {
      const state = get().verifyState;
      if (state.status !== 'running' || state.cancelling) return;
      set({ verifyState: { ...state, cancelling: true } });
      void api.cancelJob(state.jobId);
    },

    handleVerifyProgress(event) {
      const state = get().verifyState;
      if (state.status !== 'running' || state.jobId !== event.jobId) return;
      set({ verifyState: { ...state, progress: event.progress } });
    },
  };
};
