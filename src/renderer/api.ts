import type { VaultAdminApi } from '../shared/ipc-contract.js';

/** The preload's API, or null when the page is opened outside the app. */
export function findVaultAdminApi(): VaultAdminApi | null {
  const candidate = (window as unknown as { vaultAdmin?: VaultAdminApi }).vaultAdmin;
  return candidate ?? null;
}
