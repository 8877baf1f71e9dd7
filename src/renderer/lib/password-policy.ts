/**
 * The VaultStore password policy as the rotate dialog checks it, before
 * anything is sent to the engine (which checks it again).
 */

/** Mirrors DEFAULT_MIN_PASSWORD_BYTES of the engine (a renderer test keeps them equal). */
export const MIN_PASSWORD_BYTES = 16;

const encoder = new TextEncoder();

/** The policy counts UTF-8 bytes, not characters: "é" is 2 bytes, an emoji 4. */
export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

/** The library's optional rules (PasswordRequireUppercase/Lowercase/Numbers/Symbols). */
export interface PasswordRules {
  readonly requireUpper: boolean;
  readonly requireLower: boolean;
  readonly requireDigit: boolean;
  readonly requireSymbol: boolean;
}

export const NO_PASSWORD_RULES: PasswordRules = {
  requireUpper: false,
  requireLower: false,
  requireDigit: false,
  requireSymbol: false,
};

export const PASSWORD_RULE_OPTIONS: readonly {
  key: keyof PasswordRules;
  id: 'upper' | 'lower' | 'digit' | 'symbol';
  label: string;
  test: RegExp;
}[] = [
  { key: 'requireUpper', id: 'upper', label: 'An upper-case letter (A-Z)', test: /[A-Z]/ },
  { key: 'requireLower', id: 'lower', label: 'A lower-case letter (a-z)', test: /[a-z]/ },
  { key: 'requireDigit', id: 'digit', label: 'A digit (0-9)', test: /[0-9]/ },
  // As the library: anything that is not an ASCII letter or digit (space, é, emoji…).
  {
    key: 'requireSymbol',
    id: 'symbol',
    label: 'A symbol (not A-Z, a-z, 0-9)',
    test: /[^A-Za-z0-9]/,
  },
];

export interface PolicyCheck {
  readonly id: 'length' | 'upper' | 'lower' | 'digit' | 'symbol' | 'different' | 'confirmed';
  readonly ok: boolean;
  readonly label: string;
}

export interface NewPasswordPolicy {
  readonly bytes: number;
  readonly checks: readonly PolicyCheck[];
  readonly ok: boolean;
}

export function checkNewPassword(
  oldPassword: string,
  newPassword: string,
  confirmation: string,
  minBytes: number = MIN_PASSWORD_BYTES,
  rules: PasswordRules = NO_PASSWORD_RULES,
): NewPasswordPolicy {
  const bytes = utf8ByteLength(newPassword);
  const checks: PolicyCheck[] = [
    {
      id: 'length',
      ok: bytes >= minBytes,
      label: `At least ${minBytes} bytes (UTF-8): ${bytes} so far`,
    },
    ...PASSWORD_RULE_OPTIONS.filter((rule) => rules[rule.key]).map((rule) => ({
      id: rule.id,
      ok: rule.test.test(newPassword),
      label: rule.label,
    })),
    {
      id: 'different',
      ok: newPassword.length > 0 && newPassword !== oldPassword,
      label: 'Different from the current password',
    },
    {
      id: 'confirmed',
      ok: newPassword.length > 0 && confirmation === newPassword,
      label: 'Confirmation matches',
    },
  ];
  return { bytes, checks, ok: checks.every((check) => check.ok) };
}

/**
 * True when the password has characters whose Unicode form (NFC/NFD) changes
 * its bytes: a password typed on another system may not match byte for byte.
 */
export function hasUnicodeFormAmbiguity(password: string): boolean {
  return password.normalize('NFC') !== password.normalize('NFD');
}
