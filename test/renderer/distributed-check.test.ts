/**
 * A distributed Start's one check: the queue's (no derivations), then the
 * coordinator's own sample check shown as the pre-flight, as a single-machine
 * Start's (rotation-check.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { selectScreen, type AppStore } from '../../src/renderer/store/app-store.js';
import { distributedValidity } from '../../src/renderer/store/distributed-state.js';
import { selectDraftValidity } from '../../src/renderer/store/rotation-state.js';
import {
  distributedResult,
  ledgerEvent,
  QUEUE_URL,
  REDIS_PASSWORD,
  serverVault,
  workerRow,
} from './support/distributed-fixtures.js';
import { type FakeVaultAdmin, settle } from './support/fake-vault-admin.js';
import {
  checkProgress,
  eachWithOpenVault,
  NEW,
  NOTHING_OPENED,
  OLD,
  passingCheck,
  WRONG_SETTINGS,
} from './support/rotation-store.js';

let api: FakeVaultAdmin;
let store: AppStore;
eachWithOpenVault((fresh) => ({ api, store } = fresh), serverVault());

async function start(): Promise<string> {
  const state = store.getState();
  state.openRotateDialog();
  state.updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
  state.updateQueueForm({ use: true, url: QUEUE_URL, password: REDIS_PASSWORD });
  await store.getState().submitRotateDialog();
  await settle();
  expect(api.calls.checkDistributed).toHaveLength(1);
  expect(api.calls.startDistributedRotation).toHaveLength(1);
  return api.jobId;
}

const ledgerAt = (jobId: string, atMs: number, scanned: number) =>
  ledgerEvent(jobId, atMs, scanned, [workerRow('w1:1', { lastSeenMs: atMs, rate: 100 })]);

const secretsIn = (store: AppStore): string[] =>
  [OLD, NEW, REDIS_PASSWORD].filter((secret) => JSON.stringify(store.getState()).includes(secret));

describe("a distributed Start's one check (the coordinator's own)", () => {
  it('checking -> the check’s progress and result -> running: one job, no separate check', async () => {
    api.autoCheck = false;
    const jobId = await start();
    expect(store.getState().rotationStatus).toBe('checking');
    expect(selectScreen(store.getState())).toBe('vault');
    expect(store.getState().preflight).toMatchObject({ status: 'running', jobId });

    api.emit({ type: 'preflight-progress', jobId, progress: checkProgress(7) });
    const preflight = store.getState().preflight;
    expect(preflight.status === 'running' && preflight.progress?.stepDone).toBe(7);
    // The passwords (vault and Redis) stay until the check passed.
    expect(secretsIn(store)).toEqual([OLD, NEW, REDIS_PASSWORD]);

    api.emit({ type: 'preflight-result', jobId, result: passingCheck() });
    expect(store.getState().rotationStatus).toBe('running');
    expect(store.getState().preflight).toMatchObject({ status: 'done', fromStart: true });
    expect(secretsIn(store)).toEqual([]);
    api.emit(ledgerAt(jobId, 10_000, 500));
    expect(store.getState().distributedProgress?.scanned).toBe(500);
    expect(selectScreen(store.getState())).toBe('progress');
    api.emit({ type: 'result', jobId, result: distributedResult('completed') });
    expect(store.getState().rotationStatus).toBe('completed');
    expect(api.calls.preflight).toEqual([]);
    expect(api.calls.startRotation).toEqual([]);
  });

  it('a refusal comes back to the dialog with the same text, passwords kept, no "Rotate anyway"', async () => {
    api.preflightAnswer = { ok: true, value: NOTHING_OPENED };
    await start();
    const state = store.getState();
    expect(state.rotationStatus).toBe('configuring');
    expect(state.preflight).toEqual({ status: 'done', result: NOTHING_OPENED, fromStart: true });
    expect(secretsIn(store)).toEqual([OLD, NEW, REDIS_PASSWORD]);
    const validity = distributedValidity(state);
    expect(validity.base.preflightRefused).toBe(true);
    expect(validity.canSubmit).toBe(false);
    // Start again starts nothing: the inputs the check refused are unchanged.
    await store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.startDistributedRotation).toHaveLength(1);
    // Fixing the password lets Start go again, straight to the coordinator (the queue passed).
    store.getState().updateDraft({ oldPassword: `${OLD}-fixed` });
    api.preflightAnswer = { ok: true, value: passingCheck() };
    await store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.startDistributedRotation).toHaveLength(2);
    expect(api.calls.checkDistributed).toHaveLength(1);
    expect(store.getState().rotationStatus).toBe('running');
  });

  it('the suggested preset starts the coordinator again with it', async () => {
    api.preflightAnswer = { ok: true, value: WRONG_SETTINGS };
    await start();
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(selectDraftValidity(store.getState()).canScanAnyway).toBe(false);
    api.preflightAnswer = { ok: true, value: passingCheck() };
    await store.getState().applySuggestedPreset();
    await settle();
    expect(api.calls.startDistributedRotation.map((request) => request.crypto)).toEqual([
      { preset: 'default' },
      { preset: 'lightweight' },
    ]);
    expect(store.getState().rotationStatus).toBe('running');
  });

  it('cancel during the check cancels the coordinator and keeps the dialog as it was', async () => {
    api.autoCheck = false;
    const jobId = await start();
    store.getState().cancelPreflight();
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(api.calls.cancelJob).toEqual([jobId]);
    expect(secretsIn(store)).toEqual([OLD, NEW, REDIS_PASSWORD]);
    // Its late events (the cancelled check, main's error) change nothing.
    api.emit({ type: 'preflight-result', jobId, result: { ...passingCheck(), cancelled: true } });
    api.emit({ type: 'error', jobId, error: { code: 'INTERNAL', message: 'Cancelled.' } });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(store.getState().preflight.status).toBe('idle');
    expect(store.getState().rotationError).toBeNull();
  });

  it('an edit of the queue while the check runs stops the coordinator', async () => {
    api.autoCheck = false;
    const jobId = await start();
    store.getState().updateQueueForm({ workHere: false });
    expect(store.getState().rotationStatus).toBe('configuring');
    expect(api.calls.cancelJob).toEqual([jobId]);
    api.emit({ type: 'preflight-result', jobId, result: passingCheck() });
    expect(store.getState().rotationStatus).toBe('configuring');
  });

  it('a coordinator that re-attached (no check) goes on at its first ledger reading', async () => {
    api.autoCheck = false;
    const jobId = await start();
    api.emit(ledgerAt(jobId, 10_000, 800));
    expect(store.getState().rotationStatus).toBe('running');
    expect(store.getState().distributedProgress?.scanned).toBe(800);
    expect(secretsIn(store)).toEqual([]);
  });
});
