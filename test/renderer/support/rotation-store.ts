/** A renderer store with one vault open, as the rotation and pre-flight slice tests start. */
import { afterEach, beforeEach, expect } from 'vitest';
import {
  connectJobEvents,
  createAppStore,
  type AppStore,
} from '../../../src/renderer/store/app-store.js';
import type { PreflightResult } from '../../../src/shared/ipc-contract.js';
import { FakeVaultAdmin, handleOf, tableInfo, vaultSummary } from './fake-vault-admin.js';

export const VAULT = '/vaults/app.db';
export const OLD = 'Old-password-0123456789';
export const NEW = 'New-password-9876543210';

export interface StoreUnderTest {
  api: FakeVaultAdmin;
  store: AppStore;
}

/**
 * Before each test: a fresh store over a fake API, its job events connected
 * and VAULT open, handed to `use`. After it: every listener must be gone.
 */
export function eachWithOpenVault(use: (fresh: StoreUnderTest) => void): void {
  let api: FakeVaultAdmin | null = null;
  let disconnect = (): void => undefined;
  beforeEach(async () => {
    api = new FakeVaultAdmin();
    const store = createAppStore(api);
    disconnect = connectJobEvents(api, store);
    await openVault(api, store);
    use({ api, store });
  });
  afterEach(() => {
    disconnect();
    expect(api?.listenerCount).toBe(0);
  });
}

async function openVault(api: FakeVaultAdmin, store: AppStore): Promise<void> {
  api.addVault(vaultSummary(VAULT, [tableInfo('vault', 200)]));
  await store.getState().openVault(handleOf(VAULT));
}

export function fillValidDraft(store: AppStore): void {
  store.getState().updateDraft({ oldPassword: OLD, newPassword: NEW, confirmPassword: NEW });
}

/** What main's rotation reports of its own check when it passes (the fake's default answer). */
export function passingCheck(): PreflightResult {
  const answer = new FakeVaultAdmin().preflightAnswer;
  if (!answer.ok) throw new Error('the fake check passes by default');
  return answer.value;
}
