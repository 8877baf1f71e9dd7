import type { VaultAdminApi } from '../../shared/ipc-contract.js';
import type { AppStore } from './app-store.js';

/**
 * Vaults main opened from the command line or the OS go to the store.
 * Connected before the first render (main.tsx): main sends a launch-time
 * vault as soon as the page has loaded. Returns the unsubscribe function.
 */
export function connectLaunchedVaults(api: VaultAdminApi, store: AppStore): () => void {
  return api.onVaultOpened((summary) => store.getState().showLaunchedVault(summary));
}
