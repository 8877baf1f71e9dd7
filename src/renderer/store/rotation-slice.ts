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
import { addRateSample } from '../lib/rate-history.js';
import { selectDistributing, selectOnServer } from './distributed-state.js';
import { INITIAL_PREFLIGHT_STATE } from './preflight-state.js';
import { createCheckedStart } from './rotation-check.js';
import { createLauncher, prepareJob } from './rotation-launch.js';
import {
  INITIAL_DRAFT,
  INITIAL_ROTATION_STATE,
  isJobActive,
  selectDraftValidity,
  type RotationDraft,
  type RotationSlice,
} from './rotation-state.js';
import type { AppState, SliceCreator } from './types.js';
import { selectUnfinishedDistributed } from './distributed-state.js';
import { selectUnfinishedRotation } from './vault-state.js';

/**
 * The saved settings of the interrupted rotation, so a resume repeats them
 * (after an app restart too): its checkpoint's (or the distributed ledger's)
 * Argon2id configs and soft-deleted policy; else the settings of this
 * session's job.
 */
function resumeSettings(state: AppState): Partial<RotationDraft> {
  const unfinished = selectUnfinishedRotation(state) ?? selectUnfinishedDistributed(state);
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
    set({
      ...INITIAL_ROTATION_STATE,
      ...INITIAL_PREFLIGHT_STATE,
      job: get().job,
      // Redis's password is typed again for every rotation, like the vault's.
      queueForm: { ...get().queueForm, password: '' },
      distributedCheck: { status: 'idle' },
    });
  };

  const apply = (event: RotationEvent): void => {
    const status = get().rotationStatus;
    if (event.type === 'progress') {
      set({
        progress: event.progress,
        rateHistory: addRateSample(get().rateHistory, {
          tMs: event.progress.elapsedMs,
          total: event.progress.ratePerSecond,
          workers: {},
        }),
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

  const launcher = createLauncher(set, get, api);
  const checkedStart = createCheckedStart(set, get, (jobId) => api.cancelJob(jobId));

  return {
    ...INITIAL_ROTATION_STATE,

    openRotateDialog(options = {}) {
      if (isJobActive(get().rotationStatus)) return;
      // Resuming reuses the interrupted job's settings; passwords are asked again.
      const resume = options.resume ?? false;
      const { queueForm } = get();
      set({
        ...INITIAL_ROTATION_STATE,
        ...INITIAL_PREFLIGHT_STATE,
        queueForm: { ...queueForm, password: '', use: options.distributed ?? queueForm.use },
        distributedCheck: { status: 'idle' },
        rotationStatus: 'configuring',
        draft: {
          ...INITIAL_DRAFT,
          ...(resume ? resumeSettings(get()) : {}),
          resume,
          restart: !resume && (options.restart ?? false),
        },
      });
      if (selectOnServer(get())) void get().loadRecentQueues();
    },

    closeRotateDialog() {
      const status = get().rotationStatus;
      // Closed while a Start's check runs: abandoning the check cancels its job (nothing written).
      if (status !== 'configuring' && status !== 'checking') return;
      toVault();
    },

    updateDraft(patch) {
      // While a Start's check runs, the job already holds every input: any edit stops it.
      const checking = get().rotationStatus === 'checking';
      const stale = checking || PREFLIGHT_INPUTS.some((key) => key in patch);
      if (stale) get().abandonPreflight();
      set({
        draft: { ...get().draft, ...patch },
        ...(stale ? { ...INITIAL_PREFLIGHT_STATE, scanAnywayConfirmOpen: false } : {}),
        ...(checking ? { rotationStatus: 'configuring' } : {}),
      });
    },

    async submitRotateDialog() {
      const state = get();
      if (selectDistributing(state)) return get().submitDistributed();
      const validity = selectDraftValidity(state);
      if (!validity.canStart) {
        // Enter with the new password not done yet: at least check the current one.
        if (validity.canPreflight && state.preflight.status === 'idle') await get().runPreflight();
        return;
      }
      // The rotation's own check is the pre-flight: one check per Start, never a job before it.
      await get().startRotation();
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
      if (selectDistributing(state)) return get().startDistributedRotation();
      const validity = selectDraftValidity(state);
      const scanAnyway = how.scanAnyway === true;
      // Past a refused check only by the confirmed "Rotate anyway", and only for a refused scan.
      if (!(scanAnyway ? validity.canScanAnyway : validity.canStart)) return;
      const job = prepareJob(state, false);
      if (!job) return;
      const request: RotationRequest = {
        ...job.request,
        ...(state.draft.restart ? { restart: true } : {}),
        ...(scanAnyway ? { scanAnyway: true } : {}),
      };
      await get().launchJob(job.settings, { resume: state.draft.resume, scanAnyway }, (jobId) =>
        api.startRotation(request, jobId),
      );
    },

    async launchJob(settings, how, call) {
      // A resume runs no check (its canaries prove the passwords): they leave the store at once.
      if (how.resume) await launcher.launch(settings, call);
      else await checkedStart.start(settings, how.scanAnyway, call);
    },

    handleRotationEvent(event) {
      if (checkedStart.handle(event)) return;
      if (event.type === 'preflight-result' || event.type === 'distributed-progress') return;
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
      await launcher.sendCancel(job.jobId);
    },

    backToVault() {
      if (isJobActive(get().rotationStatus)) return;
      toVault();
      void get().refreshVault();
    },
  };
};
