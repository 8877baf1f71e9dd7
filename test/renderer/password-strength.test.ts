/**
 * The strength estimator (zxcvbn-ts with its real dictionaries), as the meter
 * uses it: common passwords rate weak even when they tick every character
 * class, long random passphrases rate strong, and feedback explains why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_RULE_OPTIONS, utf8ByteLength } from '../../src/renderer/lib/password-policy.js';
import {
  EMPTY_STRENGTH,
  loadStrengthEstimator,
  type StrengthEstimator,
} from '../../src/renderer/lib/password-strength.js';

let estimate: StrengthEstimator;

beforeAll(async () => {
  estimate = await loadStrengthEstimator();
});

function meetsEveryCharsetRule(password: string): boolean {
  return PASSWORD_RULE_OPTIONS.every((rule) => rule.test.test(password));
}

describe('password strength (zxcvbn-ts)', () => {
  it.each(['Password123!', 'Qwerty123456789!', 'P@ssw0rd2024!'])(
    'rates the common password %s weak or fair although it has every character class',
    (password) => {
      expect(meetsEveryCharsetRule(password)).toBe(true);
      const strength = estimate(password);
      expect(strength.level).toBeLessThanOrEqual(2);
      expect(strength.suggestions.length).toBeGreaterThan(0);
    },
  );

  it('says why a common password is guessable', () => {
    expect(estimate('Password123!')).toMatchObject({
      level: 1,
      label: 'Weak',
      warning: 'This is similar to a commonly used password.',
    });
    expect(estimate('P@ssw0rd2024!').suggestions).toContain(
      "Avoid predictable letter substitutions like '@' for 'a'.",
    );
  });

  it('rates a policy-length common password weak: 16 bytes, all four classes', () => {
    expect(utf8ByteLength('Qwerty123456789!')).toBe(16);
    expect(estimate('Qwerty123456789!')).toMatchObject({ level: 1, label: 'Weak' });
  });

  it('rates a long random passphrase strong, with nothing to warn about', () => {
    expect(estimate('tundra-marble-quiver-lantern-osprey-velvet')).toMatchObject({
      level: 4,
      label: 'Strong',
      warning: null,
      suggestions: [],
    });
    expect(estimate('q7#Lm2!vRz9@pW4x-Tk8$').level).toBe(4);
  });

  it('names the pattern in repeats and sequences, however long', () => {
    const repeat = estimate('aaaaaaaaaaaaaaaaaaaa');
    expect(repeat.level).toBe(1);
    expect(repeat.warning).toMatch(/Repeated characters/);
    const sequence = estimate('abcdefghijklmnop');
    expect(sequence.level).toBe(1);
    expect(sequence.warning).toMatch(/character sequences/);
  });

  it('orders a guessable password below a random one', () => {
    const weak = estimate('Summer2024!Summer2024!');
    const strong = estimate('zq8-Kp2-vw7-Lr4x');
    expect(weak.level).toBeLessThan(strong.level);
    expect(weak.guessesLog10).toBeLessThan(strong.guessesLog10);
  });

  it('rates the empty password Empty without running the estimator', () => {
    expect(estimate('')).toBe(EMPTY_STRENGTH);
  });

  it('keeps no copy of the password in what it returns', () => {
    const password = 'Unique-Secret-Passphrase-4821';
    expect(JSON.stringify(estimate(password))).not.toContain('4821');
  });

  it('loads the estimator once', async () => {
    expect(await loadStrengthEstimator()).toBe(estimate);
  });
});
