/** Selectors that return primitives or objects already in the state (stable for useAppState). */
import type { VaultTableInfo } from '../../shared/ipc-contract.js';
import type { AppState } from './types.js';

export function selectTableInfo(state: AppState): VaultTableInfo | null {
  return state.vault?.tables.find((table) => table.name === state.selectedTable) ?? null;
}

export function selectCanResume(state: AppState): boolean {
  return (
    state.vault !== null &&
    state.selectedTable !== null &&
    state.vault.resumableTables.includes(state.selectedTable)
  );
}

export const selectProgress = (state: AppState) => state.progress;
