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

export type StrengthLevel = 0 | 1 | 2 | 3 | 4;

export type StrengthLabel = 'Empty' | 'Weak' | 'Fair' | 'Good' | 'Strong';

export interface PasswordStrength {
  readonly level: StrengthLevel;
  readonly label: StrengthLabel;
  /** what makes it guessable ("This is a commonly used password."), if anything */
  readonly warning: string | null;
  /** how to make it stronger */
  readonly suggestions: readonly string[];
  /** log10 of the estimated guesses an attacker needs */
  readonly guessesLog10: number;
}

/** Rates a password; holds no copy of it. */
export type StrengthEstimator = (password: string) => PasswordStrength;

export const EMPTY_STRENGTH: PasswordStrength = {
  level: 0,
  label: 'Empty',
  warning: null,
  suggestions: [],
  guessesLog10: 0,
};

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
