import type { StoreApi } from 'zustand/vanilla';
import type { VaultAdminApi } from '../../shared/ipc-contract.js';
import type { ConnectionSlice } from './connection-state.js';
import type { DistributedSlice } from './distributed-state.js';
import type { PreflightSlice } from './preflight-state.js';
import type { RotationSlice } from './rotation-state.js';
import type { VaultSlice } from './vault-state.js';
import type { VerifySlice } from './verify-state.js';

export type AppState = VaultSlice &
  RotationSlice &
  PreflightSlice &
  VerifySlice &
  ConnectionSlice &
  DistributedSlice;

export type AppStore = StoreApi<AppState>;

/**
 * Each slice gets the whole store (slices read each other) and the boundary API.
 * A slice's state, initial state and selectors sit in its `*-state.ts`, its
 * actions in `*-slice.ts`: the state files import no slice, so no cycle.
 */
export type SliceCreator<Slice> = (
  set: AppStore['setState'],
  get: AppStore['getState'],
  api: VaultAdminApi,
) => Slice;
