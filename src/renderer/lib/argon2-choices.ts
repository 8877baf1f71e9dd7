/**
 * The Argon2id settings the user picks in the UI, and how they map to the
 * contract's Argon2Choice. VaultStore values do not record these settings:
 * the application configures them, so the user must pick the same ones.
 */
import type { Argon2Choice, Argon2Config } from '../../shared/ipc-contract.js';
import { IPC_LIMITS } from '../../shared/ipc-validation.js';

export type PresetKey = 'default' | 'lightweight' | 'high' | 'custom';

/** Custom t/m/p/k/salt as typed (strings, so a half-typed number stays editable). */
export interface CustomConfigDraft {
  readonly iterations: string;
  readonly memoryKiB: string;
  readonly parallelism: string;
  /** AES key length in bytes: "16", "24" or "32" (a select); omitted: 32 */
  readonly keyLength?: string;
  /** salt bytes at the start of each value; omitted: 16 */
  readonly saltLength?: string;
}

/** The library's CryptoConfig defaults (KeyLength, SaltSize). */
export const DEFAULT_KEY_LENGTH = 32;
export const DEFAULT_SALT_LENGTH = 16;

export const KEY_LENGTH_OPTIONS: readonly { value: number; label: string }[] = [
  { value: 16, label: '16 bytes (AES-128)' },
  { value: 24, label: '24 bytes (AES-192)' },
  { value: 32, label: '32 bytes (AES-256, default)' },
];

export interface CryptoDraft {
  readonly preset: PresetKey;
  readonly custom: CustomConfigDraft;
}

export interface PresetOption {
  readonly key: Exclude<PresetKey, 'custom'>;
  readonly label: string;
  readonly config: Argon2Config;
  readonly explanation: string;
}

/** Mirrors ARGON2_PRESETS of the engine (a renderer test keeps them equal). */
export const PRESET_OPTIONS: readonly PresetOption[] = [
  {
    key: 'default',
    label: 'Default',
    config: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
    explanation: 'The VaultStore library default. Pick it unless the application changed it.',
  },
  {
    key: 'lightweight',
    label: 'Lightweight',
    config: { iterations: 2, memoryKiB: 32768, parallelism: 2 },
    explanation: 'The library’s lightweight preset, for applications on small machines.',
  },
  {
    key: 'high',
    label: 'High security',
    config: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
    explanation: 'The library’s high-security preset: slowest, hardest to attack.',
  },
];

/** Only offered as a starting point for Custom: nobody should store real secrets with it. */
export const TINY_CONFIG: Argon2Config = { iterations: 1, memoryKiB: 64, parallelism: 1 };

export const CUSTOM_EXPLANATION =
  'Enter the exact t/m/p, key length and salt size the application configured (its CryptoConfig); values do not record them.';

export const MATCH_WARNING =
  'Must match what the application configured: values do not record it, and a wrong choice opens nothing.';

export function draftFromConfig(config: Argon2Config): CustomConfigDraft {
  return {
    iterations: String(config.iterations),
    memoryKiB: String(config.memoryKiB),
    parallelism: String(config.parallelism),
    keyLength: String(config.keyLength ?? DEFAULT_KEY_LENGTH),
    saltLength: String(config.saltLength ?? DEFAULT_SALT_LENGTH),
  };
}

export const DEFAULT_CRYPTO_DRAFT: CryptoDraft = {
  preset: 'default',
  custom: draftFromConfig(PRESET_OPTIONS[0]!.config),
};

export type CustomConfigCheck =
  | { readonly ok: true; readonly config: Argon2Config }
  | { readonly ok: false; readonly message: string };

function parseWhole(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** Argon2id limits as main validates them (IPC_LIMITS; p ≤ 255 is the Go library's uint8 lanes). */
export function checkCustomConfig(draft: CustomConfigDraft): CustomConfigCheck {
  const iterations = parseWhole(draft.iterations);
  const memoryKiB = parseWhole(draft.memoryKiB);
  const parallelism = parseWhole(draft.parallelism);
  const { iterationsMax, parallelismMax, memoryKiBMax } = IPC_LIMITS;
  if (iterations === null || iterations < 1 || iterations > iterationsMax) {
    return {
      ok: false,
      message: `Iterations (t) must be a whole number from 1 to ${iterationsMax}.`,
    };
  }
  if (parallelism === null || parallelism < 1 || parallelism > parallelismMax) {
    return {
      ok: false,
      message: `Parallelism (p) must be a whole number from 1 to ${parallelismMax}.`,
    };
  }
  if (memoryKiB === null || memoryKiB < 8 * parallelism || memoryKiB > memoryKiBMax) {
    return {
      ok: false,
      message: `Memory (m) must be a whole number of KiB from ${8 * parallelism} (8 × p) to ${memoryKiBMax}.`,
    };
  }
  const keyLength = parseWhole(draft.keyLength ?? String(DEFAULT_KEY_LENGTH));
  const keyLengths: readonly number[] = IPC_LIMITS.keyLengths;
  if (keyLength === null || !keyLengths.includes(keyLength)) {
    return { ok: false, message: 'Key length must be 16, 24 or 32 bytes (AES-128/192/256).' };
  }
  const saltLength = parseWhole(draft.saltLength ?? String(DEFAULT_SALT_LENGTH));
  const { saltLengthMin, saltLengthMax } = IPC_LIMITS;
  if (saltLength === null || saltLength < saltLengthMin || saltLength > saltLengthMax) {
    return {
      ok: false,
      message: `Salt size must be a whole number of bytes from ${saltLengthMin} to ${saltLengthMax}.`,
    };
  }
  // Library defaults are left out, so a custom config equal to a preset stays equal to it.
  return {
    ok: true,
    config: {
      iterations,
      memoryKiB,
      parallelism,
      ...(keyLength === DEFAULT_KEY_LENGTH ? {} : { keyLength }),
      ...(saltLength === DEFAULT_SALT_LENGTH ? {} : { saltLength }),
    },
  };
}

/** null while Custom holds invalid numbers. */
export function choiceFromDraft(draft: CryptoDraft): Argon2Choice | null {
  if (draft.preset !== 'custom') return { preset: draft.preset };
  const check = checkCustomConfig(draft.custom);
  return check.ok ? { preset: 'custom', config: check.config } : null;
}

export function draftFromChoice(choice: Argon2Choice): CryptoDraft {
  if (choice.preset === 'custom')
    return { preset: 'custom', custom: draftFromConfig(choice.config) };
  if (choice.preset === 'tiny') return { preset: 'custom', custom: draftFromConfig(TINY_CONFIG) };
  const option = PRESET_OPTIONS.find((candidate) => candidate.key === choice.preset);
  return { preset: choice.preset, custom: draftFromConfig(option?.config ?? TINY_CONFIG) };
}

export function configOfChoice(choice: Argon2Choice): Argon2Config {
  if (choice.preset === 'custom') return choice.config;
  if (choice.preset === 'tiny') return TINY_CONFIG;
  return PRESET_OPTIONS.find((option) => option.key === choice.preset)!.config;
}

export function formatConfig(config: Argon2Config): string {
  const memory =
    config.memoryKiB % 1024 === 0 ? `${config.memoryKiB / 1024} MiB` : `${config.memoryKiB} KiB`;
  const sizes =
    (config.keyLength !== undefined && config.keyLength !== DEFAULT_KEY_LENGTH
      ? `, k=${config.keyLength} B`
      : '') +
    (config.saltLength !== undefined && config.saltLength !== DEFAULT_SALT_LENGTH
      ? `, salt=${config.saltLength} B`
      : '');
  return `t=${config.iterations}, m=${memory}, p=${config.parallelism}${sizes}`;
}

/** "Default (t=3, m=64 MiB, p=4)" */
export function describeChoice(choice: Argon2Choice): string {
  const label =
    choice.preset === 'custom'
      ? 'Custom'
      : choice.preset === 'tiny'
        ? 'Tiny (tests only)'
        : PRESET_OPTIONS.find((option) => option.key === choice.preset)!.label;
  return `${label} (${formatConfig(configOfChoice(choice))})`;
}
