import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { VaultAdminApi } from '../../shared/ipc-contract.js';
import type { AppState, AppStore } from './types.js';

interface Services {
  store: AppStore;
  api: VaultAdminApi;
}

const ServicesContext = createContext<Services | null>(null);

export function StoreProvider({
  store,
  api,
  children,
}: Services & { children: ReactNode }): ReactNode {
  return <ServicesContext.Provider value={{ store, api }}>{children}</ServicesContext.Provider>;
}

function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('StoreProvider is missing above this component.');
  return services;
}

export function useStoreApi(): AppStore {
  return useServices().store;
}

export function useVaultAdmin(): VaultAdminApi {
  return useServices().api;
}

/** Re-renders when the selected value changes (Object.is): select primitives or stable objects. */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useServices().store, selector);
}
