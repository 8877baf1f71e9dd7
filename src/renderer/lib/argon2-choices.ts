/**
 * The Argon2id settings the user picks in the UI, and how they map to the
 * contract's Argon2Choice. VaultStore values do not record these settings:
 * the application configures them, so the user must pick the same ones.
 */
import {
  ARGON2_PRESETS,
  argon2ConfigProblem,
  KEY_LENGTH,
  MAX_ITERATIONS,
  MAX_MEMORY_KIB,
  MAX_PARALLELISM,
  MAX_SALT_LENGTH,
  MIN_SALT_LENGTH,
  SALT_LENGTH,
  keyLengthOf,
  saltLengthOf,
  type Argon2Field,
} from '../../core/argon2.js';
import type { Argon2Choice, Argon2Config } from '../../shared/ipc-contract.js';
import { formatCount, formatKiB } from '../../core/units.js';

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
export const DEFAULT_KEY_LENGTH = KEY_LENGTH;
export const DEFAULT_SALT_LENGTH = SALT_LENGTH;

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

/** The library presets (core's ARGON2_PRESETS) with the words the app shows. */
export const PRESET_OPTIONS: readonly PresetOption[] = [
  {
    key: 'default',
    label: 'Default',
    config: ARGON2_PRESETS.default,
    explanation: 'The VaultStore library default. Pick it unless the application changed it.',
  },
  {
    key: 'lightweight',
    label: 'Lightweight',
    config: ARGON2_PRESETS.lightweight,
    explanation: 'The library’s lightweight preset, for applications on small machines.',
  },
  {
    key: 'high',
    label: 'High security',
    config: ARGON2_PRESETS.high,
    explanation: 'The library’s high-security preset: slowest, hardest to attack.',
  },
];

/** Only offered as a starting point for Custom: nobody should store real secrets with it. */
export const TINY_CONFIG: Argon2Config = ARGON2_PRESETS.tiny;

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

/** The form's short sentence for each field core's check can refuse (p decides m's lower bound). */
function fieldMessage(field: Argon2Field, parallelism: number | null): string {
  switch (field) {
    case 'iterations':
      return `Iterations (t) must be a whole number from 1 to ${MAX_ITERATIONS}.`;
    case 'parallelism':
      return `Parallelism (p) must be a whole number from 1 to ${MAX_PARALLELISM}.`;
    case 'memoryKiB':
      return parallelism === null
        ? `Memory (m) must be a whole number of KiB, at least 8 × p, up to ${formatCount(MAX_MEMORY_KIB)}.`
        : `Memory (m) must be a whole number of KiB from ${8 * parallelism} (8 × p) to ${formatCount(MAX_MEMORY_KIB)}.`;
    case 'keyLength':
      return 'Key length must be 16, 24 or 32 bytes (AES-128/192/256).';
    case 'saltLength':
      return `Salt size must be a whole number of bytes from ${MIN_SALT_LENGTH} to ${MAX_SALT_LENGTH}.`;
  }
}

/** The typed text, parsed, then core's one Argon2id check (the limits main and the engine apply). */
export function checkCustomConfig(draft: CustomConfigDraft): CustomConfigCheck {
  const iterations = parseWhole(draft.iterations);
  const parallelism = parseWhole(draft.parallelism);
  const memoryKiB = parseWhole(draft.memoryKiB);
  const keyLength = parseWhole(draft.keyLength ?? String(DEFAULT_KEY_LENGTH));
  const saltLength = parseWhole(draft.saltLength ?? String(DEFAULT_SALT_LENGTH));
  const unparsed = (
    [
      ['iterations', iterations],
      ['parallelism', parallelism],
      ['memoryKiB', memoryKiB],
      ['keyLength', keyLength],
      ['saltLength', saltLength],
    ] as const
  ).find(([, value]) => value === null);
  if (unparsed) return { ok: false, message: fieldMessage(unparsed[0], parallelism) };
  // Library defaults are left out, so a custom config equal to a preset stays equal to it.
  const config: Argon2Config = {
    iterations: iterations!,
    memoryKiB: memoryKiB!,
    parallelism: parallelism!,
    ...(keyLength === DEFAULT_KEY_LENGTH ? {} : { keyLength: keyLength! }),
    ...(saltLength === DEFAULT_SALT_LENGTH ? {} : { saltLength: saltLength! }),
  };
  const problem = argon2ConfigProblem(config);
  return problem
    ? { ok: false, message: fieldMessage(problem.field, parallelism) }
    : { ok: true, config };
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

/** Equal as the library would use them (an omitted key length or salt size is its default). */
function sameConfig(a: Argon2Config, b: Argon2Config): boolean {
  return (
    a.iterations === b.iterations &&
    a.memoryKiB === b.memoryKiB &&
    a.parallelism === b.parallelism &&
    keyLengthOf(a) === keyLengthOf(b) &&
    saltLengthOf(a) === saltLengthOf(b)
  );
}

/** The picker showing a saved config: its library preset when it is one, else Custom with its numbers. */
export function draftFromConfigOf(config: Argon2Config): CryptoDraft {
  const preset = PRESET_OPTIONS.find((option) => sameConfig(option.config, config));
  return preset
    ? { preset: preset.key, custom: draftFromConfig(preset.config) }
    : { preset: 'custom', custom: draftFromConfig(config) };
}

export function configOfChoice(choice: Argon2Choice): Argon2Config {
  if (choice.preset === 'custom') return choice.config;
  if (choice.preset === 'tiny') return TINY_CONFIG;
  return PRESET_OPTIONS.find((option) => option.key === choice.preset)!.config;
}

export function formatConfig(config: Argon2Config): string {
  const memory = formatKiB(config.memoryKiB);
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
