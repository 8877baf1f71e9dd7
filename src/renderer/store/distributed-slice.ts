/**
 * The distributed rotation's actions (states in distributed-state.ts): the
 * queue form and its check, the start, the ledger readings main pushes, and
 * the re-attach banner's reading and Cancel. Start runs the queue's check (no
 * derivations), then starts the coordinator, whose own sample check is the
 * pre-flight the dialog shows, as a single-machine Start's (the rotation
 * slice's launchJob). Cancelling the app's own job is the rotation slice's
 * confirmCancel (main's coordinator then stops every worker).
 */
import type { DistributedRotationRequest } from '../../shared/ipc-contract.js';
import { rateSampleOf, workerViews } from '../lib/distributed-view.js';
import { queueRequestOf, type QueueForm } from '../lib/queue-form.js';
import { addRateSample } from '../lib/rate-history.js';
import {
  distributedValidity,
  INITIAL_DISTRIBUTED_STATE,
  isUnfinished,
  selectOnServer,
  type DistributedSlice,
} from './distributed-state.js';
import { prepareJob } from './rotation-launch.js';
import { isJobActive } from './rotation-state.js';
import type { SliceCreator } from './types.js';

/** Fields the check depends on: editing one makes its answer stale. */
const CHECK_INPUTS: readonly (keyof QueueForm)[] = ['url', 'caFile', 'password', 'use'];

export const createDistributedSlice: SliceCreator<DistributedSlice> = (set, get, api) => {
  let checks = 0;
  // The last check call: the start waits for main to have answered it.
  let lastCheck: Promise<unknown> = Promise.resolve();
  // The dialog's submit came first: the job starts once the queue's check passed.
  let startRequested = false;

  /** The table the banner reads, while it is still the one shown. */
  const tableRequest = () => {
    const { vault, selectedTable } = get();
    return vault && selectedTable !== null ? { vault: vault.handle, table: selectedTable } : null;
  };
  const stillShown = (request: { vault: string; table: string }): boolean => {
    const now = tableRequest();
    return now?.vault === request.vault && now.table === request.table;
  };

  return {
    ...INITIAL_DISTRIBUTED_STATE,

    updateQueueForm(patch) {
      const stale = CHECK_INPUTS.some((key) => key in patch);
      if (stale) startRequested = false;
      // While a Start's own check runs, the coordinator holds every input: an edit stops it.
      if (get().rotationStatus === 'checking') get().cancelPreflight();
      set({
        queueForm: { ...get().queueForm, ...patch },
        ...(stale ? { distributedCheck: { status: 'idle' } } : {}),
        // A dry run is counted on this machine: not offered with other machines.
        ...(patch.use ? { draft: { ...get().draft, dryRun: false } } : {}),
      });
    },

    useRecentQueue(queue) {
      get().updateQueueForm({ url: queue.url, caFile: queue.caFile ?? '' });
    },

    async chooseQueueCaFile() {
      const response = await api.chooseCaFile();
      if (response.ok && response.value !== null) get().updateQueueForm({ caFile: response.value });
    },

    async loadRecentQueues() {
      const response = await api.recentQueues();
      // A missing recent list is not worth an error on screen.
      if (response.ok) set({ recentQueues: response.value });
    },

    async runDistributedCheck() {
      const state = get();
      const request = tableRequest();
      if (!request || !distributedValidity(state).canCheck) return;
      const id = ++checks;
      const jobId = globalThis.crypto.randomUUID();
      set({ distributedCheck: { status: 'running', id } });
      const call = api.checkDistributed(
        { ...request, queue: queueRequestOf(state.queueForm) },
        jobId,
      );
      lastCheck = call;
      const response = await call;
      const check = get().distributedCheck;
      if (check.status !== 'running' || check.id !== id) return;
      set({
        distributedCheck: response.ok
          ? { status: 'done', result: response.value }
          : { status: 'error', error: response.error },
      });
      if (startRequested) await get().startDistributedRotation();
    },

    async submitDistributed() {
      const state = get();
      const validity = distributedValidity(state);
      if (validity.canStart) return get().startDistributedRotation();
      const checkReady = validity.canCheck && !validity.blockedBy;
      // The queue's check is all that runs before the job; the job starts when it passes.
      startRequested = validity.canSubmit && checkReady;
      const check = state.distributedCheck.status;
      if (checkReady && check !== 'running' && check !== 'done') await get().runDistributedCheck();
    },

    async startDistributedRotation() {
      const state = get();
      if (!distributedValidity(state).canStart) return;
      const job = prepareJob(state, true);
      if (!job) return;
      startRequested = false;
      const { dryRun: _notDistributed, ...options } = job.request;
      const request: DistributedRotationRequest = {
        ...options,
        queue: queueRequestOf(state.queueForm),
        workHere: state.queueForm.workHere,
      };
      const checked = lastCheck;
      // A resume starts at once; a fresh one's coordinator checks a sample first (the pre-flight).
      await get().launchJob(
        job.settings,
        { resume: state.draft.resume, scanAnyway: false },
        async (jobId) => {
          await checked.catch(() => undefined);
          return api.startDistributedRotation(request, jobId);
        },
      );
    },

    handleDistributedProgress(event) {
      if (get().rotationStatus === 'checking') get().handleRotationEvent(event);
      const { job, rotationStatus, firstProgressAtMs, rateHistory } = get();
      if (!job || !isJobActive(rotationStatus) || event.jobId !== job.jobId) return;
      const start = firstProgressAtMs ?? event.atMs;
      const views = workerViews(event.progress.workers, event.atMs);
      set({
        distributedProgress: event.progress,
        progressAtMs: event.atMs,
        firstProgressAtMs: start,
        rateHistory: addRateSample(rateHistory, rateSampleOf(views, event.atMs, start)),
        rotationStatus: rotationStatus === 'starting' ? 'running' : rotationStatus,
      });
    },

    async loadTableRotation() {
      const request = tableRequest();
      if (!request || !selectOnServer(get())) {
        set({ tableRotation: null, tableRotationError: null });
        return;
      }
      const response = await api.distributedStatus(request);
      if (!stillShown(request)) return;
      if (!response.ok) set({ tableRotation: null, tableRotationError: response.error });
      else {
        const found = isUnfinished(response.value) ? response.value : null;
        set({ tableRotation: found, tableRotationError: null });
      }
    },

    async cancelTableRotation() {
      const request = tableRequest();
      if (!request || get().tableRotationCancelling) return;
      set({ tableRotationCancelling: true, tableRotationError: null });
      const response = await api.cancelDistributed(request);
      set({ tableRotationCancelling: false });
      if (!stillShown(request)) return;
      if (!response.ok) set({ tableRotationError: response.error });
      else set({ tableRotation: isUnfinished(response.value) ? response.value : null });
    },
  };
};
