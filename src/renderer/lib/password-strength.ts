/**
 * Password strength for the meter, estimated by zxcvbn-ts: it knows common
 * passwords, names, words, keyboard walks, l33t, dates and repeats, so
 * "Password123!" rates weak although it has every character class. Guidance
 * only: the policy (bytes, different, confirmed) is what gates Start.
 *
 * The estimator and its dictionaries (most of its size) load on first use as a
 * separate chunk of the renderer bundle, so the app starts without them. It runs
 * in the renderer: a password never leaves the page to be rated.
 */

import type { StrengthEstimator } from './strength-rating.js';

export {
  EMPTY_STRENGTH,
  type PasswordStrength,
  type StrengthEstimator,
  type StrengthLabel,
  type StrengthLevel,
} from './strength-rating.js';

let loading: Promise<StrengthEstimator> | null = null;

/** The estimator, loaded once; a failed load is retried on the next call. */
export function loadStrengthEstimator(): Promise<StrengthEstimator> {
  loading ??= import('./zxcvbn-estimator.js').then(
    (module) => module.createZxcvbnEstimator(),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}
