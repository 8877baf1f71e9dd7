/**
 * One rotation, from the dialog to its result:
 * idle → configuring → starting → running → cancelling → cancelled,
 * or → completed / nothing-opened / error.
 * Passwords live in `draft` only while the dialog is open; they are wiped
 * from the store the moment the job is handed to the engine.
 */
import type { RotationEvent, RotationRequest } from '../../shared/ipc-contract.js';
import {
  choiceFromDraft,
  DEFAULT_CRYPTO_DRAFT,
  draftFromChoice,
  draftFromConfigOf,
  type CryptoDraft,
  type PresetKey,
} from '../lib/argon2-choices.js';
import {
  checkNewPassword,
  MIN_PASSWORD_BYTES,
  NO_PASSWORD_RULES,
  type NewPasswordPolicy,
} from '../lib/password-policy.js';
import type { JobSettings } from '../lib/report.js';
import { selectUnfinishedRotation } from './selectors.js';
import type { AppState, SliceCreator } from './types.js';
import type {
  PreflightState,
  RotationDraft,
  RotationSlice,
  RotationStatus,
} from './rotation-types.js';

export type {
  PreflightState,
  RotationDraft,
  RotationJob,
  RotationSlice,
  RotationStatus,
} from './rotation-types.js';

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

const ACTIVE: ReadonlySet<RotationStatus> = new Set(['starting', 'running', 'cancelling']);

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

/** A finished pre-flight that says the rotation must not start (its inputs have not changed since). */
export function preflightRefuses(preflight: PreflightState): boolean {
  return preflight.status === 'done' && !preflight.result.canRotate;
}

/** The check refused the scan itself (nothing opened, or already rotated): "Rotate anyway" may override it. */
export function preflightRefusesScan(preflight: PreflightState): boolean {
  if (preflight.status !== 'done') return false;
  const { refusal } = preflight.result;
  return refusal === 'nothing-opened' || refusal === 'already-rotated';
}

/** The library preset the pre-flight found opening v2 records, if the picker offers it. */
export function suggestedPresetOf(preflight: PreflightState): SuggestablePreset | null {
  if (preflight.status !== 'done' || preflight.result.canRotate) return null;
  const preset = preflight.result.suggestedPreset;
  return preset && preset !== 'tiny' ? preset : null;
}

export type SuggestablePreset = Exclude<PresetKey, 'custom'>;

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

export function selectDraftValidity(state: AppState): DraftValidity {
  return draftValidity(
    state.draft,
    state.vault !== null && state.selectedTable !== null,
    state.rotationStatus === 'configuring',
    state.preflight,
  );
}

/** Fields a pre-flight result depends on: editing one makes the result stale. */
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

const PREFLIGHT_INPUTS: readonly (keyof RotationDraft)[] = [
  'oldPassword',
  'crypto',
  'includeSoftDeleted',
];

export const createRotationSlice: SliceCreator<RotationSlice> = (set, get, api) => {
  // The last pre-flight call; a rotation waits for it (main runs one job per vault).
  let preflightCall: Promise<unknown> = Promise.resolve();
  // That call while main has not answered it yet.
  let preflightInFlight: Promise<unknown> | null = null;
  // The check a submit waits for: the rotation starts when it passes.
  let startAfterCheck: string | null = null;

  /** Drops the pre-flight answer being waited for, and stops the check itself in main. */
  const abandonPreflight = (): void => {
    const preflight = get().preflight;
    startAfterCheck = null;
    // Answers and events are matched by job id: once the state moves on, the old job's are ignored.
    if (preflight.status === 'running') void api.cancelJob(preflight.jobId);
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

  const isCurrentPreflight = (jobId: string): boolean => {
    const preflight = get().preflight;
    return preflight.status === 'running' && preflight.jobId === jobId;
  };

  const sendCancel = async (jobId: string): Promise<void> => {
    const response = await api.cancelJob(jobId);
    if (!response.ok && get().rotationStatus === 'cancelling') {
      set({ rotationStatus: 'running', rotationNotice: response.error });
    }
  };

  return {
    rotationStatus: 'idle',
    draft: INITIAL_DRAFT,
    preflight: { status: 'idle' },
    job: null,
    progress: null,
    result: null,
    finishedAt: null,
    rotationError: null,
    rotationNotice: null,
    cancelConfirmOpen: false,
    scanAnywayConfirmOpen: false,

    openRotateDialog(options = {}) {
      if (isJobActive(get().rotationStatus)) return;
      // Resuming reuses the interrupted job's settings; passwords are asked again.
      const resume = options.resume ?? false;
      set({
        rotationStatus: 'configuring',
        draft: {
          ...INITIAL_DRAFT,
          ...(resume ? resumeSettings(get()) : {}),
          resume,
          restart: !resume && (options.restart ?? false),
        },
        preflight: { status: 'idle' },
        job: null,
        progress: null,
        result: null,
        finishedAt: null,
        rotationError: null,
        rotationNotice: null,
        scanAnywayConfirmOpen: false,
      });
    },

    closeRotateDialog() {
      if (get().rotationStatus !== 'configuring') return;
      abandonPreflight();
      set({
        rotationStatus: 'idle',
        draft: INITIAL_DRAFT,
        preflight: { status: 'idle' },
        scanAnywayConfirmOpen: false,
      });
    },

    updateDraft(patch) {
      const stale = PREFLIGHT_INPUTS.some((key) => key in patch);
      if (stale) abandonPreflight();
      set({
        draft: { ...get().draft, ...patch },
        ...(stale ? { preflight: { status: 'idle' } as const, scanAnywayConfirmOpen: false } : {}),
      });
    },

    async runPreflight() {
      const state = get();
      const crypto = choiceFromDraft(state.draft.crypto);
      if (!selectDraftValidity(state).canPreflight || !crypto) return;
      abandonPreflight();
      const jobId = globalThis.crypto.randomUUID();
      set({
        preflight: { status: 'running', jobId, progress: null },
        scanAnywayConfirmOpen: false,
      });
      // An abandoned check still holds the vault until it has stopped (main runs one job per vault).
      if (preflightInFlight) {
        await preflightInFlight.catch(() => undefined);
        if (!isCurrentPreflight(jobId)) return;
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
      preflightCall = call;
      preflightInFlight = call;
      const response = await call.finally(() => {
        if (preflightInFlight === call) preflightInFlight = null;
      });
      if (!isCurrentPreflight(jobId)) return;
      set({
        preflight: response.ok
          ? { status: 'done', result: response.value }
          : { status: 'error', error: response.error },
      });
      const start = startAfterCheck === jobId;
      startAfterCheck = null;
      if (start && selectDraftValidity(get()).preflightPassed) await get().startRotation();
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
        startAfterCheck = state.preflight.jobId;
        return;
      }
      // No check of these inputs yet (or it failed): check first, start when it passes.
      const checking = get().runPreflight();
      const preflight = get().preflight;
      if (preflight.status === 'running') startAfterCheck = preflight.jobId;
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

    cancelPreflight() {
      abandonPreflight();
      if (get().preflight.status === 'running') set({ preflight: { status: 'idle' } });
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
      get().updateDraft({ crypto: { ...state.draft.crypto, preset } });
      await get().runPreflight();
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
      abandonPreflight();
      // The passwords leave the store here, before the engine even answers.
      set({
        rotationStatus: 'starting',
        draft: { ...draft, ...EMPTY_PASSWORDS },
        preflight: { status: 'idle' },
        job: { jobId, settings },
        progress: null,
        result: null,
        finishedAt: null,
        rotationError: null,
        rotationNotice: null,
      });
      // A check cancelled just above still holds the vault until it has stopped.
      await preflightCall.catch(() => undefined);
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
      set({
        rotationStatus: 'idle',
        draft: INITIAL_DRAFT,
        preflight: { status: 'idle' },
        progress: null,
        result: null,
        finishedAt: null,
        rotationError: null,
        rotationNotice: null,
        cancelConfirmOpen: false,
      });
      void get().refreshVault();
    },
  };
};
