/** A renderer store with one vault open, as the rotation and pre-flight slice tests start. */
import { afterEach, beforeEach, expect } from 'vitest';
import {
  connectJobEvents,
  createAppStore,
  type AppStore,
} from '../../../src/renderer/store/app-store.js';
import type {
  PreflightProgress,
  PreflightResult,
  VaultSummary,
} from '../../../src/shared/ipc-contract.js';
import { FakeVaultAdmin, handleOf, settle, tableInfo, vaultSummary } from './fake-vault-admin.js';

export const VAULT = '/vaults/app.db';
export const OLD = 'Old-password-0123456789';
export const NEW = 'New-password-9876543210';

export interface StoreUnderTest {
  api: FakeVaultAdmin;
  store: AppStore;
}

/**
 * Before each test: a fresh store over a fake API, its job events connected
 * and VAULT (or `summary`) open, handed to `use`. After it: every listener must be gone.
 */
export function eachWithOpenVault(
  use: (fresh: StoreUnderTest) => void,
  summary: VaultSummary = vaultSummary(VAULT, [tableInfo('vault', 200)]),
): void {
  let api: FakeVaultAdmin | null = null;
  let disconnect = (): void => undefined;
  beforeEach(async () => {
    api = new FakeVaultAdmin().addVault(summary);
    const store = createAppStore(api);
    disconnect = connectJobEvents(api, store);
    await store.getState().openVault(handleOf(summary.path));
    await settle();
    use({ api, store });
  });
  afterEach(() => {
    disconnect();
    expect(api?.listenerCount).toBe(0);
  });
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

/** Nothing opened in the sample, not even with the new password. */
export const NOTHING_OPENED: PreflightResult = {
  ...passingCheck(),
  opened: 0,
  v2: { sampled: 16, opened: 0, malformed: 0 },
  canRotate: false,
  refusal: 'nothing-opened',
  newPasswordSample: { sampled: 8, opened: 0 },
};

/** No v2 record opened with these settings, but the lightweight preset opened one. */
export const WRONG_SETTINGS: PreflightResult = {
  ...NOTHING_OPENED,
  refusal: 'wrong-settings',
  suggestedPreset: 'lightweight',
};

export function checkProgress(stepDone: number): PreflightProgress {
  return {
    phase: 'checking',
    toSample: 16,
    sampled: stepDone,
    malformed: 0,
    opened: stepDone,
    stepDone,
    stepTotal: 16,
    elapsedMs: stepDone * 10,
  };
}
