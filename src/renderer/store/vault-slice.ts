/** The open vault's actions: open, show, refresh, choose a table, close. */
import type { IpcError, VaultSummary } from '../../shared/ipc-contract.js';
import { isJobActive } from './rotation-state.js';
import type { SliceCreator } from './types.js';
import { INITIAL_VAULT_STATE, type VaultSlice } from './vault-state.js';

/** Keeps the user's choice when it still exists; picks the only table otherwise. */
function chooseTable(summary: VaultSummary, previous: string | null): string | null {
  if (previous && summary.tables.some((table) => table.name === previous)) return previous;
  return summary.tables.length === 1 ? summary.tables[0]!.name : null;
}

export const createVaultSlice: SliceCreator<VaultSlice> = (set, get, api) => {
  const settle = (summary: VaultSummary): void => {
    const previous = get().vault?.handle === summary.handle ? get().selectedTable : null;
    set({
      vault: summary,
      selectedTable: chooseTable(summary, previous),
      vaultStatus: 'ready',
      vaultError: null,
    });
    void get().loadRecent();
    // Re-attach: a distributed rotation of the table still running or unfinished in the ledger.
    void get().loadTableRotation();
  };

  const fail = (error: IpcError): void => {
    set({ vaultError: error, vaultStatus: get().vault ? 'ready' : 'idle' });
  };

  return {
    ...INITIAL_VAULT_STATE,

    async loadRecent() {
      const response = await api.recentVaults();
      // A missing recent list is not worth an error on screen.
      if (response.ok) set({ recent: response.value });
    },

    async openVaultDialog() {
      set({ vaultStatus: 'opening', vaultError: null });
      const response = await api.openVaultDialog();
      if (!response.ok) return fail(response.error);
      if (response.value === null) {
        set({ vaultStatus: get().vault ? 'ready' : 'idle' });
        return;
      }
      settle(response.value);
    },

    async openVault(handle) {
      set({ vaultStatus: 'opening', vaultError: null });
      const response = await api.openVault(handle);
      if (!response.ok) return fail(response.error);
      settle(response.value);
    },

    async openDroppedFile(file) {
      set({ vaultStatus: 'opening', vaultError: null });
      const response = await api.openDroppedFile(file);
      if (!response.ok) return fail(response.error);
      settle(response.value);
    },

    showVault(summary) {
      settle(summary);
    },

    showLaunchedVault(summary) {
      // A rotation or check in progress keeps its screen; the vault stays in the recent list.
      const state = get();
      if (isJobActive(state.rotationStatus) || state.rotationStatus === 'configuring') return;
      if (state.verifyTarget !== null) return;
      settle(summary);
    },

    async refreshVault() {
      const current = get().vault;
      if (!current) return;
      const response = await api.openVault(current.handle);
      // The user may have closed or switched vaults meanwhile.
      if (get().vault?.handle !== current.handle) return;
      if (response.ok) settle(response.value);
      else set({ vaultError: response.error });
    },

    selectTable(name) {
      if (!get().vault?.tables.some((table) => table.name === name)) return;
      set({ selectedTable: name, tableRotation: null, tableRotationError: null });
      void get().loadTableRotation();
    },

    closeVault() {
      const handle = get().vault?.handle;
      // Main then forgets what it kept for the vault (a database password); nothing to wait for.
      if (handle !== undefined) void api.closeVault(handle);
      set({ ...INITIAL_VAULT_STATE, recent: get().recent });
      void get().loadRecent();
    },

    dismissVaultError() {
      set({ vaultError: null });
    },
  };
};
