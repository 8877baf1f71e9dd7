/**
 * Checks done before any work, so a mistake costs nothing: passwords, the
 * password policy, Argon2id parameters, the table to rotate. Exported so the
 * shells can check input as soon as it is typed.
 */
import { totalmem } from 'node:os';
import {
  argon2ConfigProblem,
  MAX_ITERATIONS,
  MAX_MEMORY_KIB,
  type Argon2Config,
} from '../../../core/argon2.js';
import { EngineError } from '../../errors.js';
import type { VaultStore } from '../../storage/types.js';
import { DEFAULT_MIN_PASSWORD_BYTES, type NewPasswordRules } from '../types.js';

export interface RotationInput {
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  readonly openConfig: Argon2Config;
  readonly writeConfig?: Argon2Config | undefined;
  /** default DEFAULT_MIN_PASSWORD_BYTES */
  readonly minPasswordBytes?: number | undefined;
  /** character-class rules; its minBytes, when given, wins over minPasswordBytes */
  readonly newPasswordPolicy?: NewPasswordRules | undefined;
}

/** The tool's caps on t and m live in core (the app checks them too); re-exported for the engine's users. */
export { MAX_ITERATIONS, MAX_MEMORY_KIB };

/** Throws PASSWORD_EMPTY, PASSWORD_SAME, PASSWORD_POLICY, ARGON2_CONFIG or USAGE. Never echoes a password. */
export function validateRotationInput(input: RotationInput): void {
  assertPasswordGiven(input.oldPassword, 'old');
  assertPasswordGiven(input.newPassword, 'new');
  if (Buffer.from(input.oldPassword).equals(Buffer.from(input.newPassword))) {
    throw new EngineError(
      'PASSWORD_SAME',
      'The new password is the same as the old one, so there is nothing to rotate. Choose a different new password.',
    );
  }
  const rules = input.newPasswordPolicy ?? {};
  assertPasswordPolicy(
    input.newPassword,
    rules.minBytes ?? input.minPasswordBytes ?? DEFAULT_MIN_PASSWORD_BYTES,
  );
  assertPasswordRules(input.newPassword, rules);
  validateArgon2Config(input.openConfig, 'open');
  if (input.writeConfig) validateArgon2Config(input.writeConfig, 'write');
}

export function assertPasswordGiven(password: Uint8Array, which: 'old' | 'new' | 'the'): void {
  if (password.length > 0) return;
  const hint =
    which === 'new'
      ? 'Enter the password the records should be encrypted with from now on.'
      : 'Enter the password the records are encrypted with.';
  throw new EngineError(
    'PASSWORD_EMPTY',
    `The ${which === 'the' ? '' : which + ' '}password is empty. ${hint}`,
  );
}

/** VaultStore refuses passwords shorter than its minimum, counted in UTF-8 bytes (not characters). */
export function assertPasswordPolicy(newPassword: Uint8Array, minPasswordBytes: number): void {
  if (!Number.isInteger(minPasswordBytes) || minPasswordBytes < 1) {
    throw new EngineError(
      'USAGE',
      `The minimum password length must be a whole number of bytes, at least 1 (got ${minPasswordBytes}).`,
    );
  }
  if (newPassword.length >= minPasswordBytes) return;
  throw new EngineError(
    'PASSWORD_POLICY',
    `The new password is ${newPassword.length} bytes long in UTF-8; VaultStore requires at least ${minPasswordBytes} bytes ` +
      '(bytes, not characters), and would refuse to use it. Choose a longer new password.',
  );
}

type CharacterRule = 'requireUpper' | 'requireLower' | 'requireDigit' | 'requireSymbol';

const RULE_TEXT: Readonly<Record<CharacterRule, string>> = {
  requireUpper: 'upper-case letter (A-Z)',
  requireLower: 'lower-case letter (a-z)',
  requireDigit: 'digit (0-9)',
  requireSymbol: 'symbol (any character other than A-Z, a-z, 0-9, e.g. ! or a space)',
};

/** The library's classes, byte by byte: every byte of a non-ASCII character counts as a symbol, as its rune does in Go. */
function ruleOfByte(byte: number): CharacterRule {
  if (byte >= 0x41 && byte <= 0x5a) return 'requireUpper';
  if (byte >= 0x61 && byte <= 0x7a) return 'requireLower';
  if (byte >= 0x30 && byte <= 0x39) return 'requireDigit';
  return 'requireSymbol';
}

/** The required character classes the password lacks, in a fixed order (upper, lower, digit, symbol). */
export function missingPasswordRules(
  password: Uint8Array,
  rules: NewPasswordRules,
): CharacterRule[] {
  const present = new Set<CharacterRule>();
  for (const byte of password) present.add(ruleOfByte(byte));
  return (Object.keys(RULE_TEXT) as CharacterRule[]).filter(
    (rule) => rules[rule] === true && !present.has(rule),
  );
}

/** Throws PASSWORD_POLICY naming each missing class (never the password). */
export function assertPasswordRules(newPassword: Uint8Array, rules: NewPasswordRules): void {
  const missing = missingPasswordRules(newPassword, rules);
  if (missing.length === 0) return;
  const needs = missing.map((rule) => RULE_TEXT[rule]);
  throw new EngineError(
    'PASSWORD_POLICY',
    `The new password has no ${needs.join(', no ')}; the vault's password policy requires ` +
      `at least one${missing.length === 1 ? '' : ' of each'}, so VaultStore would refuse it. ` +
      `Choose a new password with ${missing.length === 1 ? 'one' : 'all of them'}.`,
  );
}

const ROLE_TEXT = { open: 'to open values', write: 'for the values written' } as const;

/**
 * The one config check (core: the backends' own limits plus caps that catch a
 * wrong unit, bytes for KiB, before it exhausts memory), then this machine's memory.
 */
export function validateArgon2Config(config: Argon2Config, role: 'open' | 'write' = 'open'): void {
  const problem = argon2ConfigProblem(config);
  if (problem) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `Argon2id config ${ROLE_TEXT[role]}: ${problem.message}`,
    );
  }
  const machineKiB = Math.floor(totalmem() / 1024);
  if (config.memoryKiB > machineKiB * 0.75) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `Argon2id config ${ROLE_TEXT[role]}: m=${config.memoryKiB} KiB per derivation is more than this tool allows ` +
        `(${Math.floor(machineKiB * 0.75)} KiB on this machine). ` +
        'Check the value: m is in KiB (the "default" preset is t=3, m=65536, p=4).',
    );
  }
}

/** A whole number >= 1 or undefined (pool size, batch size, sample size). */
export function assertPositiveInteger(value: number | undefined, what: string): void {
  if (value === undefined || (Number.isInteger(value) && value >= 1)) return;
  throw new EngineError(
    'USAGE',
    `The ${what} must be a whole number of at least 1 (got ${value}).`,
  );
}

/**
 * The table to work on: the one asked for (must be a vault table), or the
 * only vault table of the file. Several and none asked: USAGE with the names.
 */
export async function resolveVaultTable(
  store: Pick<VaultStore, 'path' | 'vaultTables' | 'assertVaultTable'>,
  requested?: string,
): Promise<string> {
  if (requested !== undefined && requested !== '') {
    // The store's own name for it, so one table never goes by two names (checkpoint, lock, backup).
    return (await store.assertVaultTable(requested)) ?? requested;
  }
  const tables = await store.vaultTables();
  if (tables.length === 1) return tables[0]!;
  if (tables.length === 0) {
    throw new EngineError(
      'NO_VAULT_TABLE',
      `${store.path} holds no VaultStore table (a table with the columns id, vault_token, vault_value, ` +
        'created_at, updated_at, expires_at, soft_deleted_at). Check that this is the right file.',
    );
  }
  throw new EngineError(
    'USAGE',
    `${store.path} holds ${tables.length} vault tables: ${tables.join(', ')}. ` +
      'Choose the one to work on (CLI: --table NAME).',
  );
}
