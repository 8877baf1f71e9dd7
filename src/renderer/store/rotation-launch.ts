/**
 * What a rotation job is made of, and how it is handed to main: shared by
 * the single-machine start (rotation-slice.ts) and the distributed one
 * (distributed-slice.ts), so both wipe the passwords the same way.
 */
import type { IpcResult, RotationRequest, VaultAdminApi } from '../../shared/ipc-contract.js';
import { choiceFromDraft } from '../lib/argon2-choices.js';
import { queueConnectionOf } from '../lib/queue-form.js';
import type { JobSettings } from '../lib/report.js';
import { INITIAL_PREFLIGHT_STATE } from './preflight-state.js';
import { EMPTY_PASSWORDS, INITIAL_ROTATION_STATE } from './rotation-state.js';
import type { AppState, AppStore } from './types.js';

export interface PreparedJob {
  settings: JobSettings;
  request: Omit<RotationRequest, 'restart' | 'scanAnyway'>;
}

/** The job the dialog describes, or null while its Argon2id settings or table are not chosen. */
export function prepareJob(state: AppState, distributed: boolean): PreparedJob | null {
  const crypto = choiceFromDraft(state.draft.crypto);
  if (!crypto || !state.vault || state.selectedTable === null) return null;
  const { draft } = state;
  const newCrypto = draft.newCrypto ? choiceFromDraft(draft.newCrypto) : null;
  const queue = queueConnectionOf(state.queueForm);
  const settings: JobSettings = {
    vaultPath: state.vault.path,
    table: state.selectedTable,
    crypto,
    ...(newCrypto ? { newCrypto } : {}),
    includeSoftDeleted: draft.includeSoftDeleted,
    backup: draft.backup,
    dryRun: distributed ? false : draft.dryRun,
    resume: draft.resume,
    ...(distributed
      ? {
          distributed: {
            queueUrl: queue.url,
            queueCaFile: queue.caFile,
            queuePassword: state.queueForm.password !== '',
            workHere: state.queueForm.workHere,
          },
        }
      : {}),
  };
  const { vaultPath: _displayOnly, distributed: _shownOnly, ...options } = settings;
  return {
    settings,
    request: {
      ...options,
      vault: state.vault.handle,
      oldPassword: draft.oldPassword,
      newPassword: draft.newPassword,
      // The engine checks the rules again (a renderer check is only a convenience).
      ...(Object.values(draft.passwordRules).some(Boolean)
        ? { newPasswordPolicy: { ...draft.passwordRules } }
        : {}),
    },
  };
}

/**
 * The passwords (vault and Redis) out of the store: once a job was handed to main (a resume), or
 * once its own check passed (rotation-check.ts), before anything is written.
 */
export function withoutPasswords(
  state: Pick<AppState, 'draft' | 'queueForm'>,
): Pick<AppState, 'draft' | 'queueForm' | 'distributedCheck'> {
  return {
    draft: { ...state.draft, ...EMPTY_PASSWORDS },
    queueForm: { ...state.queueForm, password: '' },
    distributedCheck: { status: 'idle' },
  };
}

export interface Launcher {
  /**
   * Takes the passwords out of the store, then hands the job to main with
   * `call` (after a cancelled check has let go of the vault) and follows its
   * answer. The job id is ours, so every event can be matched at once.
   */
  launch(
    settings: JobSettings,
    call: (jobId: string) => Promise<IpcResult<unknown>>,
  ): Promise<void>;
  sendCancel(jobId: string): Promise<void>;
}

export function createLauncher(
  set: AppStore['setState'],
  get: AppStore['getState'],
  api: VaultAdminApi,
): Launcher {
  const sendCancel = async (jobId: string): Promise<void> => {
    const response = await api.cancelJob(jobId);
    if (!response.ok && get().rotationStatus === 'cancelling') {
      set({ rotationStatus: 'running', rotationNotice: response.error });
    }
  };
  return {
    sendCancel,
    async launch(settings, call) {
      const jobId = globalThis.crypto.randomUUID();
      get().abandonPreflight();
      // The passwords (vault and Redis) leave the store here, before main even answers.
      set({
        ...INITIAL_ROTATION_STATE,
        ...INITIAL_PREFLIGHT_STATE,
        rotationStatus: 'starting',
        ...withoutPasswords(get()),
        job: { jobId, settings },
      });
      // A check cancelled just above still holds the vault until it has stopped.
      await get().preflightSettled();
      const response = await call(jobId);
      if (!response.ok) {
        set({ rotationStatus: 'error', rotationError: response.error, cancelConfirmOpen: false });
        return;
      }
      if (get().rotationStatus === 'starting') set({ rotationStatus: 'running' });
      // A cancel confirmed before the start reached main found no job there; cancelling twice is harmless.
      if (get().rotationStatus === 'cancelling') await sendCancel(jobId);
    },
  };
}
