import { beforeEach, describe, expect, it } from 'vitest';
import { createAppStore, selectScreen, type AppStore } from '../../src/renderer/store/app-store.js';
import {
  FakeVaultAdmin,
  handleOf,
  resultOf,
  tableInfo,
  vaultSummary,
} from './support/fake-vault-admin.js';

const VAULT = '/vaults/app.db';

describe('vault slice', () => {
  let api: FakeVaultAdmin;
  let store: AppStore;

  beforeEach(() => {
    api = new FakeVaultAdmin();
    store = createAppStore(api);
  });

  it('opens the vault the dialog picked and selects its only table', async () => {
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 200)]));
    api.dialogPick = VAULT;
    await store.getState().openVaultDialog();
    expect(store.getState().vault?.path).toBe(VAULT);
    expect(store.getState().selectedTable).toBe('vault');
    expect(store.getState().vaultStatus).toBe('ready');
    expect(store.getState().recent).toEqual([{ handle: handleOf(VAULT), path: VAULT }]);
    expect(selectScreen(store.getState())).toBe('vault');
  });

  it('stays on the start screen when the dialog is cancelled', async () => {
    await store.getState().openVaultDialog();
    expect(store.getState().vault).toBeNull();
    expect(store.getState().vaultStatus).toBe('idle');
    expect(selectScreen(store.getState())).toBe('start');
  });

  it('asks for a choice when the file holds several vault tables, and keeps it on refresh', async () => {
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 10), tableInfo('archive', 5)]));
    await store.getState().openVault(handleOf(VAULT));
    expect(store.getState().selectedTable).toBeNull();
    store.getState().selectTable('nope');
    expect(store.getState().selectedTable).toBeNull();
    store.getState().selectTable('archive');
    await store.getState().refreshVault();
    expect(store.getState().selectedTable).toBe('archive');
  });

  it('shows an open error as data and keeps the vault already open', async () => {
    await store.getState().openVault(handleOf('/missing.db'));
    expect(store.getState().vaultError?.code).toBe('FILE_NOT_FOUND');
    expect(store.getState().vaultStatus).toBe('idle');
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 1)]));
    await store.getState().openVault(handleOf(VAULT));
    expect(store.getState().vaultError).toBeNull();
    await store.getState().openVault(handleOf('/missing.db'));
    expect(store.getState().vault?.path).toBe(VAULT);
    expect(store.getState().vaultStatus).toBe('ready');
    store.getState().dismissVaultError();
    expect(store.getState().vaultError).toBeNull();
  });

  it('opens a dropped file through its path, and explains a drop without one', async () => {
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 1)]));
    const file = new File(['x'], 'app.db');
    await store.getState().openDroppedFile(file);
    expect(store.getState().vaultError?.code).toBe('INVALID_ARGUMENT');
    expect(store.getState().vault).toBeNull();
    api.droppedPath = VAULT;
    await store.getState().openDroppedFile(file);
    expect(store.getState().vault?.path).toBe(VAULT);
  });

  it('closes the vault back to the start screen', async () => {
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 1)]));
    await store.getState().openVault(handleOf(VAULT));
    store.getState().closeVault();
    expect(store.getState().vault).toBeNull();
    expect(selectScreen(store.getState())).toBe('start');
  });
});

describe('verify slice', () => {
  let api: FakeVaultAdmin;
  let store: AppStore;

  beforeEach(async () => {
    api = new FakeVaultAdmin();
    store = createAppStore(api);
    api.addVault(vaultSummary(VAULT, [tableInfo('vault', 200)]));
    await store.getState().openVault(handleOf(VAULT));
  });

  it('sends the check and wipes the password from the store', async () => {
    store.getState().openVerify();
    store.getState().updateVerifyDraft({ password: 'Some-password-0123456789' });
    const pending = store.getState().runVerify();
    expect(store.getState().verifyDraft.password).toBe('');
    expect(store.getState().verifyState.status).toBe('running');
    await pending;
    expect(api.calls.verify).toEqual([
      {
        vault: handleOf(VAULT),
        table: 'vault',
        password: 'Some-password-0123456789',
        crypto: { preset: 'default' },
        sampleSize: 32,
      },
    ]);
    expect(store.getState().verifyState).toMatchObject({ status: 'done', result: { opened: 24 } });
  });

  it('closing the dialog while a check runs cancels it in main, and drops its answer', async () => {
    let release!: () => void;
    api.checkGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    store.getState().openVerify();
    store.getState().updateVerifyDraft({ password: 'Some-password-0123456789' });
    const pending = store.getState().runVerify();
    store.getState().closeVerify();
    expect(api.calls.cancelJob).toEqual(api.calls.verifyJobIds);
    expect(api.calls.cancelJob).toHaveLength(1);
    release();
    await pending;
    expect(store.getState().verifyState).toEqual({ status: 'idle' });
    // Closing when nothing runs sends no cancel.
    store.getState().openVerify();
    store.getState().closeVerify();
    expect(api.calls.cancelJob).toHaveLength(1);
  });

  it('checks every record when asked, and not at all without a password', async () => {
    store.getState().openVerify();
    await store.getState().runVerify();
    expect(api.calls.verify).toHaveLength(0);
    store.getState().updateVerifyDraft({ password: 'p', sampleSize: null });
    await store.getState().runVerify();
    expect(api.calls.verify[0]).not.toHaveProperty('sampleSize');
  });

  it('after a rotation, targets its table with its Argon2id settings', () => {
    store.setState({
      result: resultOf('completed', { table: 'vault' }),
      rotationStatus: 'completed',
    });
    store.getState().openVerify({
      crypto: { preset: 'custom', config: { iterations: 1, memoryKiB: 64, parallelism: 1 } },
      purpose: 'new-password',
    });
    expect(store.getState().verifyTarget).toEqual({
      vault: handleOf(VAULT),
      table: 'vault',
      purpose: 'new-password',
    });
    expect(store.getState().verifyDraft.crypto).toEqual({
      preset: 'custom',
      custom: {
        iterations: '1',
        memoryKiB: '64',
        parallelism: '1',
        keyLength: '32',
        saltLength: '16',
      },
    });
  });

  it('forgets the answer of a check whose dialog was closed', async () => {
    store.getState().openVerify();
    store.getState().updateVerifyDraft({ password: 'p' });
    const pending = store.getState().runVerify();
    store.getState().closeVerify();
    await pending;
    expect(store.getState().verifyTarget).toBeNull();
    expect(store.getState().verifyState.status).toBe('idle');
  });
});
