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

export interface PolicyCheck {
  readonly id: 'length' | 'different' | 'confirmed';
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
): NewPasswordPolicy {
  const bytes = utf8ByteLength(newPassword);
  const checks: PolicyCheck[] = [
    {
      id: 'length',
      ok: bytes >= minBytes,
      label: `At least ${minBytes} bytes (UTF-8): ${bytes} so far`,
    },
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
