/**
 * The pre-flight's actions: run, cancel, follow, re-check with the suggested
 * preset. Main runs one job per vault, so this slice also keeps the calls
 * still holding the vault: a new check or a rotation waits for them.
 */
import { choiceFromDraft } from '../lib/argon2-choices.js';
import {
  INITIAL_PREFLIGHT_STATE,
  suggestedPresetOf,
  type PreflightSlice,
} from './preflight-state.js';
import { selectDraftValidity } from './rotation-state.js';
import type { SliceCreator } from './types.js';

export const createPreflightSlice: SliceCreator<PreflightSlice> = (set, get, api) => {
  // The last pre-flight call; a rotation waits for it.
  let lastCall: Promise<unknown> = Promise.resolve();
  // That call while main has not answered it yet.
  let inFlight: Promise<unknown> | null = null;

  const isCurrent = (jobId: string): boolean => {
    const preflight = get().preflight;
    return preflight.status === 'running' && preflight.jobId === jobId;
  };

  return {
    ...INITIAL_PREFLIGHT_STATE,

    abandonPreflight() {
      const preflight = get().preflight;
      // Answers and events are matched by job id: once the state moves on, the old job's are ignored.
      if (preflight.status === 'running') void api.cancelJob(preflight.jobId);
    },

    async preflightSettled() {
      await lastCall.catch(() => undefined);
    },

    holdVaultUntil(ended) {
      lastCall = ended;
      inFlight = ended;
      void ended.finally(() => {
        if (inFlight === ended) inFlight = null;
      });
    },

    async runPreflight() {
      const state = get();
      const crypto = choiceFromDraft(state.draft.crypto);
      if (!selectDraftValidity(state).canPreflight || !crypto) return;
      get().abandonPreflight();
      const jobId = globalThis.crypto.randomUUID();
      set({
        preflight: { status: 'running', jobId, progress: null },
        scanAnywayConfirmOpen: false,
      });
      // An abandoned check still holds the vault until it has stopped.
      if (inFlight) {
        await inFlight.catch(() => undefined);
        if (!isCurrent(jobId)) return;
      }
      const call = api.preflight(
        {
          vault: state.vault!.handle,
          table: state.selectedTable!,
          oldPassword: state.draft.oldPassword,
          // Tells "already rotated" apart when nothing opens with the current one.
          ...(state.draft.newPassword ? { newPassword: state.draft.newPassword } : {}),
          crypto,
          includeSoftDeleted: state.draft.includeSoftDeleted,
        },
        jobId,
      );
      lastCall = call;
      inFlight = call;
      const response = await call.finally(() => {
        if (inFlight === call) inFlight = null;
      });
      if (!isCurrent(jobId)) return;
      set({
        preflight: response.ok
          ? { status: 'done', result: response.value }
          : { status: 'error', error: response.error },
      });
    },

    cancelPreflight() {
      get().abandonPreflight();
      if (get().preflight.status !== 'running') return;
      // A Start's check is its rotation's: cancelled before anything is written, back to the dialog.
      const checking = get().rotationStatus === 'checking';
      set({ ...INITIAL_PREFLIGHT_STATE, ...(checking ? { rotationStatus: 'configuring' } : {}) });
    },

    handlePreflightProgress(event) {
      const preflight = get().preflight;
      if (preflight.status !== 'running' || preflight.jobId !== event.jobId) return;
      set({ preflight: { ...preflight, progress: event.progress } });
    },

    async applySuggestedPreset() {
      const state = get();
      const preset = suggestedPresetOf(state.preflight);
      if (!preset || state.rotationStatus !== 'configuring') return;
      const refusedStart = state.preflight.status === 'done' && state.preflight.fromStart === true;
      get().updateDraft({ crypto: { ...state.draft.crypto, preset } });
      // A refused Start starts again with the preset (its check is the one check); else check only.
      if (refusedStart && selectDraftValidity(get()).canStart) await get().startRotation();
      else await get().runPreflight();
    },
  };
};
