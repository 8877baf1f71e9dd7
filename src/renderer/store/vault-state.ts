/**
 * The open vault: which file, which table, its counts; the recent list.
 * What the slice holds, how it starts, and how to read it.
 */
import type {
  IpcError,
  RecentVault,
  UnfinishedRotation,
  VaultHandle,
  VaultSummary,
  VaultTableInfo,
} from '../../shared/ipc-contract.js';

export type VaultStatus = 'idle' | 'opening' | 'ready';

export interface VaultData {
  vault: VaultSummary | null;
  /** null until the user chose, when the file holds several vault tables */
  selectedTable: string | null;
  vaultStatus: VaultStatus;
  vaultError: IpcError | null;
  /** vaults chosen in earlier sessions, each with a handle for this one */
  recent: RecentVault[];
}

export interface VaultSlice extends VaultData {
  loadRecent(): Promise<void>;
  openVaultDialog(): Promise<void>;
  /** a vault the user chose before (recent list, or the open one again) */
  openVault(handle: VaultHandle): Promise<void>;
  openDroppedFile(file: File): Promise<void>;
  /** shows a vault main opened another way (a database connection) */
  showVault(summary: VaultSummary): void;
  /** a vault main opened from the command line or the OS: shown unless a job is running */
  showLaunchedVault(summary: VaultSummary): void;
  /** re-reads the open vault (counts, resumable tables) after a job */
  refreshVault(): Promise<void>;
  selectTable(name: string): void;
  closeVault(): void;
  dismissVaultError(): void;
}

export const INITIAL_VAULT_STATE: VaultData = {
  vault: null,
  selectedTable: null,
  vaultStatus: 'idle',
  vaultError: null,
  recent: [],
};

// Selectors return primitives or objects already in the state (stable for useAppState).

export function selectTableInfo(state: VaultData): VaultTableInfo | null {
  return state.vault?.tables.find((table) => table.name === state.selectedTable) ?? null;
}

/** The rotation of the selected table a cancel or crash left resumable, with its saved settings. */
export function selectUnfinishedRotation(state: VaultData): UnfinishedRotation | null {
  return (
    state.vault?.unfinishedRotations.find((rotation) => rotation.table === state.selectedTable) ??
    null
  );
}

export function selectCanResume(state: VaultData): boolean {
  return selectUnfinishedRotation(state) !== null;
}
