/**
 * What a strength estimate says, apart from the estimator that makes it: the
 * meter's words and levels. Both password-strength.ts and the lazily loaded
 * zxcvbn-estimator.ts use these, so neither imports the other for them.
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
