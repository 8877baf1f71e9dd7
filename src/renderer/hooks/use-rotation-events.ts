import { useEffect } from 'react';
import { connectRotationEvents } from '../store/app-store.js';
import { useStoreApi, useVaultAdmin } from '../store/store-context.js';

/** Feeds pushed rotation events into the store for as long as the app is mounted. */
export function useRotationEvents(): void {
  const api = useVaultAdmin();
  const store = useStoreApi();
  useEffect(() => connectRotationEvents(api, store), [api, store]);
}
