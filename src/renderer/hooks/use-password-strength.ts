import { useEffect, useState } from 'react';
import {
  EMPTY_STRENGTH,
  loadStrengthEstimator,
  type PasswordStrength,
  type StrengthEstimator,
} from '../lib/password-strength.js';

/** Typing pause before a rating: a check takes up to tens of ms, too much per keystroke. */
export const STRENGTH_DELAY_MS = 120;

export type StrengthState =
  | { readonly status: 'loading' }
  | { readonly status: 'unavailable' }
  /** `pending`: the password changed since `strength` was computed; a new rating is on its way */
  | { readonly status: 'ready'; readonly strength: PasswordStrength; readonly pending: boolean };

interface Rated {
  readonly password: string;
  readonly strength: PasswordStrength;
}

/** The strength of `password`, rated once typing pauses; loads the estimator on first use. */
export function usePasswordStrength(password: string, delayMs = STRENGTH_DELAY_MS): StrengthState {
  const [estimator, setEstimator] = useState<StrengthEstimator | 'failed' | null>(null);
  const [rated, setRated] = useState<Rated | null>(null);

  useEffect(() => {
    let live = true;
    loadStrengthEstimator().then(
      (loaded) => {
        if (live) setEstimator(() => loaded);
      },
      () => {
        if (live) setEstimator('failed');
      },
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (typeof estimator !== 'function' || password === '') return;
    const timer = setTimeout(() => setRated({ password, strength: estimator(password) }), delayMs);
    return () => clearTimeout(timer);
  }, [estimator, password, delayMs]);

  if (password === '') return { status: 'ready', strength: EMPTY_STRENGTH, pending: false };
  if (estimator === 'failed') return { status: 'unavailable' };
  if (rated === null) return { status: 'loading' };
  return { status: 'ready', strength: rated.strength, pending: rated.password !== password };
}
