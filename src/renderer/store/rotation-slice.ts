/**
 * The rotation's actions, from the dialog to its result (states in
 * rotation-state.ts; the dialog's pre-flight is preflight-slice.ts).
 */
import type { RotationEvent, RotationRequest } from '../../shared/ipc-contract.js';
import {
  choiceFromDraft,
  draftFromChoice,
  draftFromConfigOf,
  type CryptoDraft,
} from '../lib/argon2-choices.js';
import type { JobSettings } from '../lib/report.js';
import { INITIAL_PREFLIGHT_STATE } from './preflight-state.js';
import {
  EMPTY_PASSWORDS,
  INITIAL_DRAFT,
  INITIAL_ROTATION_STATE,
  isJobActive,
  selectDraftValidity,
  type RotationDraft,
  type RotationSlice,
} from './rotation-state.js';
import type { AppState, SliceCreator } from './types.js';
import { selectUnfinishedRotation } from './vault-state.js';

/**
 * The saved settings of the interrupted rotation, so a resume repeats them
 * (after an app restart too): its checkpoint's Argon2id configs and
 * soft-deleted policy; else the settings of this session's job.
 */
function resumeSettings(state: AppState): Partial<RotationDraft> {
  const unfinished = selectUnfinishedRotation(state);
  const { job, selectedTable } = state;
  const previous = job && job.settings.table === selectedTable ? job.settings : null;
  if (unfinished) {
    const crypto = draftFromConfigOf(unfinished.openConfig);
    const written = draftFromConfigOf(unfinished.writeConfig);
    const sameConfig = choiceKey(crypto) === choiceKey(written);
    return {
      crypto,
      newCrypto: sameConfig ? null : written,
      includeSoftDeleted: unfinished.includeSoftDeleted,
      ...(previous ? { backup: previous.backup } : {}),
    };
  }
  if (!previous) return {};
  return {
    crypto: draftFromChoice(previous.crypto),
    newCrypto: previous.newCrypto ? draftFromChoice(previous.newCrypto) : null,
    includeSoftDeleted: previous.includeSoftDeleted,
    backup: previous.backup,
  };
}

function choiceKey(draft: CryptoDraft): string {
  return JSON.stringify(choiceFromDraft(draft));
}

/** Fields a pre-flight result depends on: editing one makes the result stale. */
const PREFLIGHT_INPUTS: readonly (keyof RotationDraft)[] = [
  'oldPassword',
  'crypto',
  'includeSoftDeleted',
];

export const createRotationSlice: SliceCreator<RotationSlice> = (set, get, api) => {
  /** Leaves the dialog or a finished job: back to the vault (the last job's settings stay). */
  const toVault = (): void => {
    get().abandonPreflight();
    set({ ...INITIAL_ROTATION_STATE, ...INITIAL_PREFLIGHT_STATE, job: get().job });
  };

  const apply = (event: RotationEvent): void => {
    const status = get().rotationStatus;
    if (event.type === 'progress') {
      set({
        progress: event.progress,
        rotationStatus: status === 'starting' ? 'running' : status,
      });
      return;
    }
    if (event.type === 'result') {
      set({
        result: event.result,
        rotationStatus: event.result.status,
        finishedAt: new Date(),
        cancelConfirmOpen: false,
      });
    } else {
      set({ rotationStatus: 'error', rotationError: event.error, cancelConfirmOpen: false });
    }
    void get().refreshVault();
  };

  const sendCancel = async (jobId: string): Promise<void> => {
    const response = await api.cancelJob(jobId);
    if (!response.ok && get().rotationStatus === 'cancelling') {
      set({ rotationStatus: 'running', rotationNotice: response.error });
    }
  };

  return {
    ...INITIAL_ROTATION_STATE,

    openRotateDialog(options = {}) {
      if (isJobActive(get().rotationStatus)) return;
      // Resuming reuses the interrupted job's settings; passwords are asked again.
      const resume = options.resume ?? false;
      set({
        ...INITIAL_ROTATION_STATE,
        ...INITIAL_PREFLIGHT_STATE,
        rotationStatus: 'configuring',
        draft: {
          ...INITIAL_DRAFT,
          ...(resume ? resumeSettings(get()) : {}),
          resume,
          restart: !resume && (options.restart ?? false),
        },
      });
    },

    closeRotateDialog() {
      if (get().rotationStatus !== 'configuring') return;
      toVault();
    },

    updateDraft(patch) {
      const stale = PREFLIGHT_INPUTS.some((key) => key in patch);
      if (stale) get().abandonPreflight();
      set({
        draft: { ...get().draft, ...patch },
        ...(stale ? { ...INITIAL_PREFLIGHT_STATE, scanAnywayConfirmOpen: false } : {}),
      });
    },

    async submitRotateDialog() {
      const state = get();
      const validity = selectDraftValidity(state);
      if (!validity.canStart) {
        // Enter with the new password not done yet: at least check the current one.
        if (validity.canPreflight && state.preflight.status === 'idle') await get().runPreflight();
        return;
      }
      if (state.draft.resume || validity.preflightPassed) {
        await get().startRotation();
        return;
      }
      if (state.preflight.status === 'running') {
        get().startWhenPreflightPasses();
        return;
      }
      // No check of these inputs yet (or it failed): check first, start when it passes.
      const checking = get().runPreflight();
      get().startWhenPreflightPasses();
      await checking;
    },

    requestScanAnyway() {
      if (selectDraftValidity(get()).canScanAnyway) set({ scanAnywayConfirmOpen: true });
    },

    dismissScanAnyway() {
      set({ scanAnywayConfirmOpen: false });
    },

    async confirmScanAnyway() {
      if (!get().scanAnywayConfirmOpen) return;
      set({ scanAnywayConfirmOpen: false });
      await get().startRotation({ scanAnyway: true });
    },

    async startRotation(how = {}) {
      const state = get();
      const crypto = choiceFromDraft(state.draft.crypto);
      const validity = selectDraftValidity(state);
      const scanAnyway = how.scanAnyway === true;
      // Past a refused check only by the confirmed "Rotate anyway", and only for a refused scan.
      if (!(scanAnyway ? validity.canScanAnyway : validity.canStart) || !crypto) return;
      const { draft } = state;
      const newCrypto = draft.newCrypto ? choiceFromDraft(draft.newCrypto) : null;
      const settings: JobSettings = {
        vaultPath: state.vault!.path,
        table: state.selectedTable!,
        crypto,
        ...(newCrypto ? { newCrypto } : {}),
        includeSoftDeleted: draft.includeSoftDeleted,
        backup: draft.backup,
        dryRun: draft.dryRun,
        resume: draft.resume,
      };
      const { vaultPath: _displayOnly, ...options } = settings;
      const request: RotationRequest = {
        ...options,
        vault: state.vault!.handle,
        ...(draft.restart ? { restart: true } : {}),
        ...(scanAnyway ? { scanAnyway: true } : {}),
        oldPassword: draft.oldPassword,
        newPassword: draft.newPassword,
        // The engine checks the rules again (a renderer check is only a convenience).
        ...(Object.values(draft.passwordRules).some(Boolean)
          ? { newPasswordPolicy: { ...draft.passwordRules } }
          : {}),
      };
      const jobId = globalThis.crypto.randomUUID();
      get().abandonPreflight();
      // The passwords leave the store here, before the engine even answers.
      set({
        ...INITIAL_ROTATION_STATE,
        ...INITIAL_PREFLIGHT_STATE,
        rotationStatus: 'starting',
        draft: { ...draft, ...EMPTY_PASSWORDS },
        job: { jobId, settings },
      });
      // A check cancelled just above still holds the vault until it has stopped.
      await get().preflightSettled();
      const response = await api.startRotation(request, jobId);
      if (!response.ok) {
        set({ rotationStatus: 'error', rotationError: response.error, cancelConfirmOpen: false });
        return;
      }
      if (get().rotationStatus === 'starting') set({ rotationStatus: 'running' });
      // A cancel confirmed before the start reached main found no job there; cancelling twice is harmless.
      if (get().rotationStatus === 'cancelling') await sendCancel(jobId);
    },

    handleRotationEvent(event) {
      const { job, rotationStatus } = get();
      if (!job || !isJobActive(rotationStatus)) return;
      if (event.jobId === job.jobId) apply(event);
    },

    requestCancel() {
      const status = get().rotationStatus;
      if (status === 'starting' || status === 'running') set({ cancelConfirmOpen: true });
    },

    dismissCancel() {
      set({ cancelConfirmOpen: false });
    },

    async confirmCancel() {
      const { job, rotationStatus } = get();
      if (!job || (rotationStatus !== 'starting' && rotationStatus !== 'running')) return;
      set({ rotationStatus: 'cancelling', cancelConfirmOpen: false, rotationNotice: null });
      await sendCancel(job.jobId);
    },

    backToVault() {
      if (isJobActive(get().rotationStatus)) return;
      toVault();
      void get().refreshVault();
    },
  };
};
