/**
 * The library's optional password rules (PasswordRequireUppercase,
 * Lowercase, Numbers, Symbols) for the new password, checked by the engine
 * before any work, with a message naming each missing class and never the
 * password.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  missingPasswordRules,
  rotateVault,
  validateRotationInput,
  type NewPasswordRules,
} from '../../../../src/engine/index.js';
import { copyFixture, makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { sha256File } from '../../../support/vault-builder.js';
import { PW_A, bytes, rotationOptions, tiny } from '../support/rotation-checks.js';

const ALL: NewPasswordRules = {
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSymbol: true,
};

const input = (newPassword: string, newPasswordPolicy?: NewPasswordRules) => ({
  oldPassword: bytes(PW_A),
  newPassword: bytes(newPassword),
  openConfig: tiny,
  newPasswordPolicy,
});

describe("missingPasswordRules (the library's character classes)", () => {
  it.each([
    ['ALLUPPERCASEONLY', ['requireLower', 'requireDigit', 'requireSymbol']],
    ['alllowercaseonly', ['requireUpper', 'requireDigit', 'requireSymbol']],
    ['0123456789012345', ['requireUpper', 'requireLower', 'requireSymbol']],
    ['!!!!!!!!!!!!!!!!', ['requireUpper', 'requireLower', 'requireDigit']],
    ['Mixed-Case-1234x', []],
    // Go ranges over runes: a non-ASCII letter is a "symbol", not upper/lower.
    ['ÉÉÉÉÉÉÉÉaaaa1111', ['requireUpper']],
    ['spaces are symbols A1', []],
  ] as const)('%j lacks %j', (password, missing) => {
    expect(missingPasswordRules(bytes(password), ALL)).toEqual(missing);
  });

  it('checks only the rules asked for', () => {
    expect(missingPasswordRules(bytes('alllowercaseonly'), {})).toEqual([]);
    expect(missingPasswordRules(bytes('alllowercaseonly'), { requireDigit: true })).toEqual([
      'requireDigit',
    ]);
    expect(missingPasswordRules(bytes('alllowercaseonly'), { requireUpper: false })).toEqual([]);
  });
});

describe('validateRotationInput with a newPasswordPolicy', () => {
  it('names each missing class, never the password', () => {
    const secret = 'lowercase-only-new-password';
    const attempt = (): void => validateRotationInput(input(secret, ALL));
    expect(attempt).toThrow(
      expect.objectContaining({
        code: 'PASSWORD_POLICY',
        message: expect.stringMatching(
          /has no upper-case letter \(A-Z\), no digit \(0-9\); the vault's password policy requires at least one of each, so VaultStore would refuse it\. Choose a new password with all of them\./,
        ) as string,
      }) as Error,
    );
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('one missing class is named alone', () => {
    expect(() =>
      validateRotationInput(
        input('No-Symbol-Missing-Here-1', { requireSymbol: true, requireDigit: true }),
      ),
    ).not.toThrow();
    expect(() =>
      validateRotationInput(input('NoSymbolAtAllHere1', { requireSymbol: true })),
    ).toThrow(/has no symbol .*requires at least one, so .*with one\./);
  });

  it('minBytes in the policy wins over minPasswordBytes; minPasswordBytes still works alone', () => {
    expect(() =>
      validateRotationInput({ ...input('Twenty-bytes-pass-1!'), minPasswordBytes: 24 }),
    ).toThrow(/20 bytes long.*at least 24 bytes/);
    expect(() =>
      validateRotationInput({
        ...input('Twenty-bytes-pass-1!', { minBytes: 20 }),
        minPasswordBytes: 24,
      }),
    ).not.toThrow();
    expect(() => validateRotationInput(input('Twenty-bytes-pass-1!', { minBytes: 21 }))).toThrow(
      /at least 21 bytes/,
    );
  });
});

describe('rotateVault refuses a new password that breaks the policy, before any work', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('leaves the file untouched', async () => {
    const db = copyFixture('tiny200', dir.path);
    const before = sha256File(db);
    await expect(
      rotateVault(
        rotationOptions(db, {
          newPassword: bytes('new-password-without-upper-1!'),
          newPasswordPolicy: { requireUpper: true },
        }),
      ),
    ).rejects.toMatchObject({
      code: 'PASSWORD_POLICY',
      message: expect.stringMatching(/upper-case/),
    });
    expect(sha256File(db)).toBe(before);
  });
});
