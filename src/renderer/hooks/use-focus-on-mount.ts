import { useEffect, useRef, type RefObject } from 'react';

/** Moves focus to a screen's heading when the screen appears, so keyboard and screen-reader users land on it. */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return ref;
}
