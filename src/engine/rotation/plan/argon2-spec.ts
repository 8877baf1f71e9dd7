/**
 * The Argon2id config as people type it: a preset name or
 * "t=3,m=65536,p=4[,k=32,salt=16]" (the library's CryptoConfig: k is the key
 * length in bytes, salt the salt size in bytes; both optional).
 */
import {
  ARGON2_PRESETS,
  keyLengthOf,
  KEY_LENGTH,
  saltLengthOf,
  SALT_LENGTH,
  type Argon2Config,
  type Argon2PresetName,
} from '../../../core/argon2.js';
import { EngineError } from '../../errors.js';

const PRESET_NAMES = Object.keys(ARGON2_PRESETS) as Argon2PresetName[];
const FORMAT =
  `a preset (${PRESET_NAMES.join(', ')}) or t=ITERATIONS,m=MEMORY_KIB,p=PARALLELISM` +
  `[,k=KEY_BYTES][,salt=SALT_BYTES], e.g. t=3,m=65536,p=4 or t=3,m=65536,p=4,k=16,salt=16`;

const FIELDS = ['t', 'm', 'p', 'k', 'salt'] as const;
type Field = (typeof FIELDS)[number];

/**
 * Parses a preset name or `t=..,m=..,p=..[,k=..][,salt=..]` (any order; t, m,
 * p required). Throws ARGON2_CONFIG. k and salt are kept only when given, so
 * a spec without them equals the preset it spells.
 */
export function parseArgon2Config(text: string): Argon2Config {
  const spec = text.trim().toLowerCase();
  if (spec in ARGON2_PRESETS) return ARGON2_PRESETS[spec as Argon2PresetName];
  const values = new Map<Field, number>();
  for (const part of spec.split(',')) {
    const match = /^\s*(t|m|p|k|salt)\s*=\s*(\d+)\s*$/.exec(part);
    const field = match?.[1] as Field | undefined;
    if (!match || field === undefined || values.has(field)) {
      throw new EngineError(
        'ARGON2_CONFIG',
        `"${text}" is not an Argon2id config. Give ${FORMAT}.`,
      );
    }
    values.set(field, Number(match[2]));
  }
  const [t, m, p, k, salt] = FIELDS.map((field) => values.get(field));
  if (t === undefined || m === undefined || p === undefined) {
    throw new EngineError('ARGON2_CONFIG', `"${text}" lacks one of t, m, p. Give ${FORMAT}.`);
  }
  return {
    iterations: t,
    memoryKiB: m,
    parallelism: p,
    ...(k === undefined ? {} : { keyLength: k }),
    ...(salt === undefined ? {} : { saltLength: salt }),
  };
}

/** The spec parseArgon2Config reads back: a preset name when the config is one, else t=..,m=..,p=..[,k=..][,salt=..]. */
export function argon2Spec(config: Argon2Config): string {
  const preset = PRESET_NAMES.find((name) => sameArgon2Config(ARGON2_PRESETS[name], config));
  if (preset) return preset;
  let spec = `t=${config.iterations},m=${config.memoryKiB},p=${config.parallelism}`;
  if (keyLengthOf(config) !== KEY_LENGTH) spec += `,k=${keyLengthOf(config)}`;
  if (saltLengthOf(config) !== SALT_LENGTH) spec += `,salt=${saltLengthOf(config)}`;
  return spec;
}

/**
 * "t=3, m=65536 KiB, p=4 (default)" for messages and reports; key length and
 * salt size are named only when they differ from the library defaults.
 */
export function describeArgon2Config(config: Argon2Config): string {
  const preset = PRESET_NAMES.find((name) => sameArgon2Config(ARGON2_PRESETS[name], config));
  let text = `t=${config.iterations}, m=${config.memoryKiB} KiB, p=${config.parallelism}`;
  if (keyLengthOf(config) !== KEY_LENGTH) text += `, k=${keyLengthOf(config)} bytes`;
  if (saltLengthOf(config) !== SALT_LENGTH) text += `, salt=${saltLengthOf(config)} bytes`;
  return preset ? `${text} (${preset})` : text;
}

/** Equal as the library would use them: an omitted k or salt is its default (32, 16). */
export function sameArgon2Config(a: Argon2Config, b: Argon2Config): boolean {
  return (
    a.iterations === b.iterations &&
    a.memoryKiB === b.memoryKiB &&
    a.parallelism === b.parallelism &&
    keyLengthOf(a) === keyLengthOf(b) &&
    saltLengthOf(a) === saltLengthOf(b)
  );
}
