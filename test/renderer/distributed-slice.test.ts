import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { choiceFromDraft } from '../../src/renderer/lib/argon2-choices.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/shared/ipc-contract.js';
import {
  connectJobEvents,
  createAppStore,
  selectScreen,
  type AppStore,
} from '../../src/renderer/store/app-store.js';
import {
  distributedResult,
  ledgerEvent,
  ledgerStatus,
  QUEUE_URL,
  REDIS_PASSWORD,
  SERVER,
  serverVault,
  workerRow,
} from './support/distributed-fixtures.js';
import {
  FakeVaultAdmin,
  handleOf,
  settle,
  tableInfo,
  vaultSummary,
} from './support/fake-vault-admin.js';
import { NEW, OLD } from './support/rotation-store.js';

let api: FakeVaultAdmin;
let store: AppStore;
let disconnect: () => void;

beforeEach(async () => {
  api = new FakeVaultAdmin().addVault(serverVault());
  store = createAppStore(api);
  disconnect = connectJobEvents(api, store);
  await store.getState().openVault(handleOf(SERVER));
  await settle();
});

afterEach(() => {
  disconnect();
  expect(api.listenerCount).toBe(0);
});

function fillDistributedDialog(): void {
  const state = store.getState();
  state.openRotateDialog();
  state.updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
  state.updateQueueForm({ use: true, url: QUEUE_URL, password: REDIS_PASSWORD, caFile: '/ca.pem' });
}

function progressEvent(jobId: string, atMs: number, scanned: number, workers = 1): JobEvent {
  const rows = Array.from({ length: workers }, (_, index) =>
    workerRow(`w${index + 1}:1`, { lastSeenMs: atMs, rate: 100 }),
  );
  return ledgerEvent(jobId, atMs, scanned, rows);
}

async function startDistributed(): Promise<string> {
  fillDistributedDialog();
  await store.getState().submitRotateDialog();
  await settle();
  expect(store.getState().rotationStatus).toBe('running');
  return api.jobId;
}

describe('distributed rotation slice', () => {
  it('reads the server table’s rotation from the ledger when the vault opens (re-attach)', async () => {
    expect(api.calls.distributedStatus).toEqual([{ vault: handleOf(SERVER), table: 'vault' }]);
    expect(store.getState().tableRotation).toBeNull();
    api.distributedStatusAnswer = { ok: true, value: ledgerStatus() };
    await store.getState().refreshVault();
    await settle();
    expect(store.getState().tableRotation?.rotation).toBe('rot-1');
    // A completed rotation is history, not something to resume.
    api.distributedStatusAnswer = { ok: true, value: ledgerStatus({ state: 'completed' }) };
    await store.getState().refreshVault();
    await settle();
    expect(store.getState().tableRotation).toBeNull();
  });

  it('a resume from the banner repeats the ledger’s Argon2id settings and scope', async () => {
    const custom = { ...ARGON2_PRESETS.tiny, iterations: 3 };
    api.distributedStatusAnswer = {
      ok: true,
      value: ledgerStatus({
        state: 'cancelled',
        openConfig: ARGON2_PRESETS.tiny,
        writeConfig: custom,
        includeSoftDeleted: true,
      }),
    };
    await store.getState().refreshVault();
    await settle();
    store.getState().openRotateDialog({ resume: true, distributed: true });
    const { draft } = store.getState();
    expect(choiceFromDraft(draft.crypto)).toEqual({
      preset: 'custom',
      config: ARGON2_PRESETS.tiny,
    });
    expect(draft.newCrypto && choiceFromDraft(draft.newCrypto)).toEqual({
      preset: 'custom',
      config: custom,
    });
    expect(draft.includeSoftDeleted).toBe(true);
  });

  it('never asks the ledger about a file vault, nor offers other machines there', async () => {
    const fileApi = new FakeVaultAdmin().addVault(vaultSummary('/v/app.db', [tableInfo('t', 3)]));
    const fileStore = createAppStore(fileApi);
    await fileStore.getState().openVault(handleOf('/v/app.db'));
    await settle();
    expect(fileApi.calls.distributedStatus).toEqual([]);
    fileStore.getState().openRotateDialog();
    fileStore.getState().updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
    fileStore.getState().updateQueueForm({ use: true, url: QUEUE_URL });
    await fileStore.getState().submitRotateDialog();
    await settle();
    expect(fileApi.calls.checkDistributed).toEqual([]);
    expect(fileApi.calls.startDistributedRotation).toEqual([]);
    expect(fileApi.calls.startRotation).toHaveLength(1);
  });

  it('checks the queue, then starts the coordinator, whose own check passes; no password stays in the store', async () => {
    fillDistributedDialog();
    await store.getState().submitRotateDialog();
    await settle();
    // The sample is the coordinator's own check: no separate pre-flight job.
    expect(api.calls.preflight).toEqual([]);
    expect(api.calls.checkDistributed).toEqual([
      {
        vault: handleOf(SERVER),
        table: 'vault',
        queue: { url: QUEUE_URL, caFile: '/ca.pem', password: REDIS_PASSWORD },
      },
    ]);
    expect(api.calls.startRotation).toEqual([]);
    const [request] = api.calls.startDistributedRotation;
    expect(request).toMatchObject({
      vault: handleOf(SERVER),
      table: 'vault',
      oldPassword: OLD,
      newPassword: NEW,
      resume: false,
      workHere: true,
      queue: { url: QUEUE_URL, caFile: '/ca.pem', password: REDIS_PASSWORD },
    });
    expect(request).not.toHaveProperty('dryRun');
    const state = store.getState();
    expect(state.rotationStatus).toBe('running');
    expect(state.job?.settings.distributed).toEqual({
      queueUrl: QUEUE_URL,
      queueCaFile: '/ca.pem',
      queuePassword: true,
      workHere: true,
    });
    const kept = JSON.stringify(state);
    for (const secret of [OLD, NEW, REDIS_PASSWORD]) expect(kept).not.toContain(secret);
  });

  it('starts nothing while the queue check is pending, and drops an answer the form outdated', async () => {
    let open!: () => void;
    api.distributedCheckGate = new Promise((resolve) => (open = resolve));
    fillDistributedDialog();
    const submitted = store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.preflight).toEqual([]);
    expect(store.getState().distributedCheck.status).toBe('running');
    expect(api.calls.startDistributedRotation).toEqual([]);
    store.getState().updateQueueForm({ url: 'redis://other.internal:6379' });
    open();
    await submitted;
    await settle();
    expect(store.getState().distributedCheck.status).toBe('idle');
    expect(api.calls.startDistributedRotation).toEqual([]);
    expect(store.getState().rotationStatus).toBe('configuring');
  });

  it('refuses a new rotation while the ledger holds an unfinished one, and resumes it instead', async () => {
    api.distributedCheckAnswer = {
      ok: true,
      value: { queueAnswered: true, ledger: 'exists', unfinished: ledgerStatus() },
    };
    fillDistributedDialog();
    await store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.startDistributedRotation).toEqual([]);
    expect(store.getState().rotationStatus).toBe('configuring');

    store.getState().closeRotateDialog();
    expect(store.getState().queueForm.password).toBe('');
    store.getState().openRotateDialog({ resume: true, distributed: true });
    expect(store.getState().queueForm).toMatchObject({ use: true, url: QUEUE_URL, password: '' });
    store.getState().updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
    store.getState().updateQueueForm({ password: REDIS_PASSWORD });
    await store.getState().submitRotateDialog();
    await settle();
    // A resume proves the passwords with the ledger's canaries: no sample, started at once.
    expect(api.calls.preflight).toEqual([]);
    expect(api.calls.startDistributedRotation.at(-1)).toMatchObject({ resume: true });
    expect(store.getState().rotationStatus).toBe('running');
  });

  it('starts nothing when the queue check fails, and keeps the error for the dialog', async () => {
    api.distributedCheckAnswer = {
      ok: false,
      error: { code: 'QUEUE_UNREACHABLE', message: 'Redis did not answer.' },
    };
    fillDistributedDialog();
    await store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.startDistributedRotation).toEqual([]);
    expect(store.getState().distributedCheck).toMatchObject({
      status: 'error',
      error: { code: 'QUEUE_UNREACHABLE' },
    });
  });

  it('refuses a queue URL with a password before asking main anything', async () => {
    fillDistributedDialog();
    store.getState().updateQueueForm({ url: `redis://:${REDIS_PASSWORD}@queue:6379` });
    await store.getState().submitRotateDialog();
    await settle();
    expect(api.calls.checkDistributed).toEqual([]);
    expect(api.calls.startDistributedRotation).toEqual([]);
  });

  it('follows the ledger readings of its own job to the result', async () => {
    const jobId = await startDistributed();
    api.emit(progressEvent(jobId, 10_000, 1000, 1));
    api.emit(progressEvent('another-job', 10_500, 9000, 5));
    api.emit(progressEvent(jobId, 11_000, 1300, 2));
    api.emit(progressEvent(jobId, 12_000, 1700, 2));
    let state = store.getState();
    expect(state.distributedProgress?.scanned).toBe(1700);
    expect(state.progressAtMs).toBe(12_000);
    expect(state.rateHistory.samples.map((sample) => [sample.tMs, sample.total])).toEqual([
      [0, 100],
      [1000, 200],
      [2000, 200],
    ]);
    expect(selectScreen(state)).toBe('progress');

    api.emit({ type: 'result', jobId, result: distributedResult('completed') });
    api.emit(progressEvent(jobId, 13_000, 10_000, 2));
    state = store.getState();
    expect(state.rotationStatus).toBe('completed');
    expect(state.distributedProgress?.scanned).toBe(1700);
    expect(selectScreen(state)).toBe('result');
  });

  it('cancels the job (every worker) through cancelJob, then offers the resume', async () => {
    const jobId = await startDistributed();
    store.getState().requestCancel();
    await store.getState().confirmCancel();
    expect(api.calls.cancelJob).toContain(jobId);
    expect(store.getState().rotationStatus).toBe('cancelling');
    api.emit({ type: 'result', jobId, result: distributedResult('cancelled') });
    expect(store.getState().rotationStatus).toBe('cancelled');
  });

  it('shows a start refused by main in the dialog, passwords kept (nothing was written)', async () => {
    api.startError = { code: 'ROTATION_IN_PROGRESS', message: 'Another coordinator drives it.' };
    fillDistributedDialog();
    await store.getState().submitRotateDialog();
    await settle();
    const state = store.getState();
    expect(state.rotationStatus).toBe('configuring');
    expect(state.preflight).toMatchObject({
      status: 'error',
      error: { code: 'ROTATION_IN_PROGRESS' },
      fromStart: true,
    });
    expect(state.draft.oldPassword).toBe(OLD);
    expect(state.queueForm.password).toBe(REDIS_PASSWORD);
  });

  it('a resume of a distributed rotation refused by main is the job’s error', async () => {
    api.startError = { code: 'PASSWORDS_REFUSED', message: 'The canaries do not open.' };
    store.getState().openRotateDialog({ resume: true, distributed: true });
    store.getState().updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
    store.getState().updateQueueForm({ url: QUEUE_URL, password: REDIS_PASSWORD });
    await store.getState().submitRotateDialog();
    await settle();
    expect(store.getState().rotationStatus).toBe('error');
    expect(store.getState().rotationError?.code).toBe('PASSWORDS_REFUSED');
  });

  it('cancels the ledger’s rotation from the banner and shows what the ledger says then', async () => {
    api.distributedStatusAnswer = { ok: true, value: ledgerStatus() };
    await store.getState().loadTableRotation();
    api.cancelDistributedAnswer = { ok: true, value: ledgerStatus({ state: 'cancelled' }) };
    await store.getState().cancelTableRotation();
    expect(api.calls.cancelDistributed).toEqual([{ vault: handleOf(SERVER), table: 'vault' }]);
    expect(store.getState().tableRotation?.state).toBe('cancelled');
    expect(store.getState().tableRotationCancelling).toBe(false);
  });

  it('keeps a ledger error for the banner instead of pretending nothing is there', async () => {
    api.distributedStatusAnswer = {
      ok: false,
      error: { code: 'LEDGER_PERMISSION', message: 'No rights on the ledger.' },
    };
    await store.getState().loadTableRotation();
    expect(store.getState().tableRotationError?.code).toBe('LEDGER_PERMISSION');
  });
});
