/**
 * The zxcvbn-ts set-up behind password-strength.ts. Only that module imports
 * this one, dynamically, so the dictionaries stay out of the startup chunk.
 */
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en';
import type {
  PasswordStrength,
  StrengthEstimator,
  StrengthLabel,
  StrengthLevel,
} from './strength-rating.js';
import { EMPTY_STRENGTH } from './strength-rating.js';

/**
 * zxcvbn score (0 too guessable … 4 very unguessable) to the meter's four
 * segments: 0 and 1 are both "Weak" (under a million guesses).
 */
const LEVEL_OF_SCORE: readonly StrengthLevel[] = [1, 1, 2, 3, 4];
const LABELS: readonly StrengthLabel[] = ['Empty', 'Weak', 'Fair', 'Good', 'Strong'];

/**
 * Measured on the 2-core dev machine under load: the default 100 l33t
 * substitutions took 50-650 ms per check, Levenshtein matching up to 2 s;
 * 10 substitutions gave the same scores on l33t-heavy samples in 2-90 ms.
 * Characters past maxLength are not examined (such a password rates on its
 * first 128, which is plenty for any real one).
 */
const OPTIONS = {
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...commonDictionary, ...englishDictionary },
  l33tMaxSubstitutions: 10,
  maxLength: 128,
} as const;

function strengthOf(result: ZxcvbnResult): PasswordStrength {
  const level = LEVEL_OF_SCORE[result.score] ?? 1;
  return {
    level,
    label: LABELS[level] ?? 'Weak',
    warning: result.feedback.warning || null,
    suggestions: [...result.feedback.suggestions],
    guessesLog10: result.guessesLog10,
  };
}

export function createZxcvbnEstimator(): StrengthEstimator {
  const zxcvbn = new ZxcvbnFactory(OPTIONS);
  return (password) => (password === '' ? EMPTY_STRENGTH : strengthOf(zxcvbn.check(password)));
}
