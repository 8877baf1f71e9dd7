/**
 * A rough, dependency-free strength estimate for the meter. It is guidance
 * only: the policy (bytes, different, confirmed) is what gates Start.
 */

export type StrengthLevel = 0 | 1 | 2 | 3 | 4;

export interface PasswordStrength {
  readonly level: StrengthLevel;
  readonly label: 'Empty' | 'Weak' | 'Fair' | 'Good' | 'Strong';
  /** estimated bits of entropy after penalties */
  readonly bits: number;
}

const LABELS = ['Empty', 'Weak', 'Fair', 'Good', 'Strong'] as const;

function poolSize(password: string): number {
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
  return pool;
}

/** Characters that repeat or continue a run (aaa, abc, 123) add little. */
function effectiveLength(password: string): number {
  const chars = Array.from(password);
  let length = 0;
  for (let index = 0; index < chars.length; index += 1) {
    const current = chars[index]!.codePointAt(0)!;
    const previous = index > 0 ? chars[index - 1]!.codePointAt(0)! : null;
    const predictable = previous !== null && Math.abs(current - previous) <= 1;
    length += predictable ? 0.25 : 1;
  }
  return length;
}

export function estimateStrength(password: string): PasswordStrength {
  if (password.length === 0) return { level: 0, label: 'Empty', bits: 0 };
  const distinct = new Set(Array.from(password)).size;
  const bits = Math.round(effectiveLength(password) * Math.log2(Math.max(poolSize(password), 2)));
  // Few distinct characters means a pattern, whatever the length.
  const capped = distinct < 5 ? Math.min(bits, 35) : bits;
  const level: StrengthLevel = capped < 40 ? 1 : capped < 60 ? 2 : capped < 80 ? 3 : 4;
  return { level, label: LABELS[level], bits: capped };
}
