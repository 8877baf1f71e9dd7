/** The open vault: which file, which table, its counts; the recent list. */
import type { IpcError, VaultSummary } from '../../shared/ipc-contract.js';
import type { SliceCreator } from './types.js';

export type VaultStatus = 'idle' | 'opening' | 'ready';

export interface VaultSlice {
  vault: VaultSummary | null;
  /** null until the user chose, when the file holds several vault tables */
  selectedTable: string | null;
  vaultStatus: VaultStatus;
  vaultError: IpcError | null;
  recent: string[];
  loadRecent(): Promise<void>;
  openVaultDialog(): Promise<void>;
  openVaultPath(path: string): Promise<void>;
  openDroppedFile(file: File): Promise<void>;
  /** re-reads the open vault (counts, resumable tables) after a job */
  refreshVault(): Promise<void>;
  selectTable(name: string): void;
  closeVault(): void;
  dismissVaultError(): void;
}

/** Keeps the user's choice when it still exists; picks the only table otherwise. */
function chooseTable(summary: VaultSummary, previous: string | null): string | null {
  if (previous && summary.tables.some((table) => table.name === previous)) return previous;
  return summary.tables.length === 1 ? summary.tables[0]!.name : null;
}

const DROP_WITHOUT_PATH: IpcError = {
  code: 'INVALID_ARGUMENT',
  message:
    'The dropped item has no file location (was it dragged from a web page or an archive?). Drop the .db file from your file manager, or use “Open vault…”.',
};

export const createVaultSlice: SliceCreator<VaultSlice> = (set, get, api) => {
  const settle = (summary: VaultSummary): void => {
    const previous = get().vault?.path === summary.path ? get().selectedTable : null;
    set({
      vault: summary,
      selectedTable: chooseTable(summary, previous),
      vaultStatus: 'ready',
      vaultError: null,
    });
    void get().loadRecent();
  };

  const fail = (error: IpcError): void => {
    set({ vaultError: error, vaultStatus: get().vault ? 'ready' : 'idle' });
  };

  return {
    vault: null,
    selectedTable: null,
    vaultStatus: 'idle',
    vaultError: null,
    recent: [],

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

    async openVaultPath(path) {
      set({ vaultStatus: 'opening', vaultError: null });
      const response = await api.openVaultPath(path);
      if (!response.ok) return fail(response.error);
      settle(response.value);
    },

    async openDroppedFile(file) {
      const path = api.pathForDroppedFile(file);
      if (!path) return fail(DROP_WITHOUT_PATH);
      await get().openVaultPath(path);
    },

    async refreshVault() {
      const current = get().vault;
      if (!current) return;
      const response = await api.openVaultPath(current.path);
      // The user may have closed or switched vaults meanwhile.
      if (get().vault?.path !== current.path) return;
      if (response.ok) settle(response.value);
      else set({ vaultError: response.error });
    },

    selectTable(name) {
      if (get().vault?.tables.some((table) => table.name === name)) set({ selectedTable: name });
    },

    closeVault() {
      set({ vault: null, selectedTable: null, vaultStatus: 'idle', vaultError: null });
      void get().loadRecent();
    },

    dismissVaultError() {
      set({ vaultError: null });
    },
  };
};
