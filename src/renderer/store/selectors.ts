/** Selectors that return primitives or objects already in the state (stable for useAppState). */
import type { UnfinishedRotation, VaultTableInfo } from '../../shared/ipc-contract.js';
import type { AppState } from './types.js';

export function selectTableInfo(state: AppState): VaultTableInfo | null {
  return state.vault?.tables.find((table) => table.name === state.selectedTable) ?? null;
}

/** The rotation of the selected table a cancel or crash left resumable, with its saved settings. */
export function selectUnfinishedRotation(state: AppState): UnfinishedRotation | null {
  return (
    state.vault?.unfinishedRotations.find((rotation) => rotation.table === state.selectedTable) ??
    null
  );
}

export function selectCanResume(state: AppState): boolean {
  return selectUnfinishedRotation(state) !== null;
}

export const selectProgress = (state: AppState) => state.progress;
