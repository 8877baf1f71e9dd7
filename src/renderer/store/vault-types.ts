/**
 * The open vault slice's state and actions as types, apart from its code
 * (vault-slice.ts, which re-exports them): types.ts composes AppState from
 * these files, so no slice's code is part of an import cycle.
 */
import type {
  IpcError,
  RecentVault,
  VaultHandle,
  VaultSummary,
} from '../../shared/ipc-contract.js';

export type VaultStatus = 'idle' | 'opening' | 'ready';

export interface VaultSlice {
  vault: VaultSummary | null;
  /** null until the user chose, when the file holds several vault tables */
  selectedTable: string | null;
  vaultStatus: VaultStatus;
  vaultError: IpcError | null;
  /** vaults chosen in earlier sessions, each with a handle for this one */
  recent: RecentVault[];
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
