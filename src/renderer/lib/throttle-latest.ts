/**
 * Hands on only the latest of a burst of values, at most once per interval:
 * progress arrives many times a second, a person reads it a few times.
 */
export interface LatestThrottle<T> {
  push(value: T): void;
  /** cancels a pending value (unmount) */
  dispose(): void;
}

export function createLatestThrottle<T>(
  apply: (value: T) => void,
  intervalMs: number,
  now: () => number = () => Date.now(),
): LatestThrottle<T> {
  let lastAppliedAt = Number.NEGATIVE_INFINITY;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    lastAppliedAt = now();
    apply(value);
  };

  return {
    push(value) {
      pending = { value };
      if (timer !== null) return;
      const wait = lastAppliedAt + intervalMs - now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
