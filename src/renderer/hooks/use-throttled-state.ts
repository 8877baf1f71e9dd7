import { useEffect, useState } from 'react';
import { createLatestThrottle } from '../lib/throttle-latest.js';
import { useStoreApi } from '../store/store-context.js';
import type { AppState } from '../store/types.js';

/** Progress arrives many times a second; re-render at most every 100 ms. */
export const PROGRESS_RENDER_INTERVAL_MS = 100;

/**
 * Like useAppState, but hands the component at most one new value per
 * interval (the latest). `selector` must be stable (defined at module level).
 */
export function useThrottledState<T>(
  selector: (state: AppState) => T,
  intervalMs: number = PROGRESS_RENDER_INTERVAL_MS,
): T {
  const store = useStoreApi();
  const [value, setValue] = useState(() => selector(store.getState()));
  useEffect(() => {
    const throttle = createLatestThrottle<T>((next) => setValue(() => next), intervalMs);
    // Catch up with changes made between render and subscription.
    throttle.push(selector(store.getState()));
    const unsubscribe = store.subscribe((state, previous) => {
      const next = selector(state);
      if (!Object.is(next, selector(previous))) throttle.push(next);
    });
    return () => {
      unsubscribe();
      throttle.dispose();
    };
  }, [store, selector, intervalMs]);
  return value;
}
