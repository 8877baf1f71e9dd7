/** The renderer's one store, made of slices; created per API so tests get a fresh one. */
import { createStore } from 'zustand/vanilla';
import type { VaultAdminApi } from '../../shared/ipc-contract.js';
import { createConnectionSlice } from './connection-slice.js';
import { createDistributedSlice } from './distributed-slice.js';
import { createPreflightSlice } from './preflight-slice.js';
import { createRotationSlice } from './rotation-slice.js';
import type { AppState, AppStore } from './types.js';
import { createVaultSlice } from './vault-slice.js';
import { createVerifySlice } from './verify-slice.js';

export type { AppState, AppStore } from './types.js';

export function createAppStore(api: VaultAdminApi): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createVaultSlice(set, get, api),
    ...createRotationSlice(set, get, api),
    ...createPreflightSlice(set, get, api),
    ...createVerifySlice(set, get, api),
    ...createConnectionSlice(set, get, api),
    ...createDistributedSlice(set, get, api),
  }));
}

/** Which screen the state calls for. */
export type Screen = 'start' | 'vault' | 'progress' | 'result';

export function selectScreen(state: AppState): Screen {
  switch (state.rotationStatus) {
    case 'starting':
    case 'running':
    case 'cancelling':
    case 'cancelled':
    case 'error':
      return 'progress';
    case 'completed':
    case 'nothing-opened':
    case 'incomplete':
      return 'result';
    case 'idle':
    case 'configuring':
    case 'checking':
      return state.vault ? 'vault' : 'start';
  }
}

/** Feeds the API's pushed job events to the slice of their job; returns the unsubscribe function. */
export function connectJobEvents(api: VaultAdminApi, store: AppStore): () => void {
  return api.onJobEvent((event) => {
    const state = store.getState();
    if (event.type === 'verify-progress') state.handleVerifyProgress(event);
    else if (event.type === 'preflight-progress') state.handlePreflightProgress(event);
    else if (event.type === 'distributed-progress') state.handleDistributedProgress(event);
    else state.handleRotationEvent(event);
  });
}
