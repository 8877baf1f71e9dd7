import { useEffect } from 'react';
import { connectJobEvents } from '../store/app-store.js';
import { useStoreApi, useVaultAdmin } from '../store/store-context.js';

/** Feeds pushed job events (rotation, pre-flight, verify) into the store for as long as the app is mounted. */
export function useJobEvents(): void {
  const api = useVaultAdmin();
  const store = useStoreApi();
  useEffect(() => connectJobEvents(api, store), [api, store]);
}
