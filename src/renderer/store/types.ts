import type { StoreApi } from 'zustand/vanilla';
import type { VaultAdminApi } from '../../shared/ipc-contract.js';
import type { ConnectionSlice } from './connection-types.js';
import type { RotationSlice } from './rotation-types.js';
import type { VaultSlice } from './vault-types.js';
import type { VerifySlice } from './verify-types.js';

export type AppState = VaultSlice & RotationSlice & VerifySlice & ConnectionSlice;

export type AppStore = StoreApi<AppState>;

/** Each slice gets the whole store (slices read each other) and the boundary API. */
export type SliceCreator<Slice> = (
  set: AppStore['setState'],
  get: AppStore['getState'],
  api: VaultAdminApi,
) => Slice;
