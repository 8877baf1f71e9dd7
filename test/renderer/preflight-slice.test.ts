import { describe, expect, it } from 'vitest';
import type { AppStore } from '../../src/renderer/store/app-store.js';
import { type FakeVaultAdmin, handleOf, settle } from './support/fake-vault-admin.js';
import { eachWithOpenVault, fillValidDraft, NEW, OLD, VAULT } from './support/rotation-store.js';

describe('pre-flight slice', () => {
  let api: FakeVaultAdmin;
  let store: AppStore;
  eachWithOpenVault((fresh) => ({ api, store } = fresh));

  it('stores the answer and forgets it when the password or preset changes', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().runPreflight();
    expect(api.calls.preflight[0]).toEqual({
      vault: handleOf(VAULT),
      table: 'vault',
      oldPassword: OLD,
      // typed already: tested when nothing opens with the current one (already rotated?)
      newPassword: NEW,
      crypto: { preset: 'default' },
      includeSoftDeleted: true,
    });
    expect(store.getState().preflight).toMatchObject({ status: 'done', result: { opened: 12 } });
    store.getState().updateDraft({ newPassword: `${NEW}!` });
    expect(store.getState().preflight.status).toBe('done');
    store.getState().updateDraft({ oldPassword: `${OLD}!` });
    expect(store.getState().preflight.status).toBe('idle');
  });

  it('cancels a running check in main when its question changes or the dialog closes', async () => {
    let release!: () => void;
    api.checkGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.getState().openRotateDialog();
    fillValidDraft(store);
    const first = store.getState().runPreflight();
    store.getState().updateDraft({ newPassword: `${NEW}!` });
    expect(api.calls.cancelJob).toEqual([]);
    store.getState().updateDraft({ oldPassword: `${OLD}!` });
    expect(api.calls.cancelJob).toEqual([api.calls.preflightJobIds[0]]);
    const second = store.getState().runPreflight();
    const secondJob = store.getState().preflight;
    store.getState().closeRotateDialog();
    expect(api.calls.cancelJob).toEqual([
      api.calls.preflightJobIds[0],
      secondJob.status === 'running' ? secondJob.jobId : 'none',
    ]);
    release();
    await Promise.all([first, second]);
    expect(store.getState().preflight).toEqual({ status: 'idle' });
  });

  it('starts the rotation only once a check it cancelled has answered', async () => {
    let release!: () => void;
    api.checkGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.getState().openRotateDialog();
    fillValidDraft(store);
    void store.getState().runPreflight();
    const starting = store.getState().startRotation();
    await settle();
    expect(api.calls.cancelJob).toEqual(api.calls.preflightJobIds);
    expect(api.calls.startRotation).toHaveLength(0);
    release();
    await starting;
    expect(api.calls.startRotation).toHaveLength(1);
  });

  it('drops an answer to a question that changed meanwhile', async () => {
    store.getState().openRotateDialog();
    fillValidDraft(store);
    const pending = store.getState().runPreflight();
    store
      .getState()
      .updateDraft({ crypto: { preset: 'high', custom: store.getState().draft.crypto.custom } });
    await pending;
    expect(store.getState().preflight.status).toBe('idle');
  });

  it('keeps an engine error as data', async () => {
    api.preflightAnswer = {
      ok: false,
      error: { code: 'LOCKED', message: 'The vault is locked.' },
    };
    store.getState().openRotateDialog();
    fillValidDraft(store);
    await store.getState().runPreflight();
    expect(store.getState().preflight).toEqual({
      status: 'error',
      error: { code: 'LOCKED', message: 'The vault is locked.' },
    });
  });
});
