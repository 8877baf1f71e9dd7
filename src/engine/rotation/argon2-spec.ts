/** The Argon2id config as people type it: a preset name or "t=3,m=65536,p=4". */
import { ARGON2_PRESETS, type Argon2Config, type Argon2PresetName } from '../argon2-config.js';
import { EngineError } from '../errors.js';

const PRESET_NAMES = Object.keys(ARGON2_PRESETS) as Argon2PresetName[];
const FORMAT = `a preset (${PRESET_NAMES.join(', ')}) or t=ITERATIONS,m=MEMORY_KIB,p=PARALLELISM, e.g. t=3,m=65536,p=4`;

/** Parses a preset name or `t=..,m=..,p=..` (any order, all three). Throws ARGON2_CONFIG. */
export function parseArgon2Config(text: string): Argon2Config {
  const spec = text.trim().toLowerCase();
  if (spec in ARGON2_PRESETS) return ARGON2_PRESETS[spec as Argon2PresetName];
  const values = new Map<string, number>();
  for (const part of spec.split(',')) {
    const match = /^\s*([tmp])\s*=\s*(\d+)\s*$/.exec(part);
    if (!match || values.has(match[1]!)) {
      throw new EngineError(
        'ARGON2_CONFIG',
        `"${text}" is not an Argon2id config. Give ${FORMAT}.`,
      );
    }
    values.set(match[1]!, Number(match[2]));
  }
  const [t, m, p] = [values.get('t'), values.get('m'), values.get('p')];
  if (t === undefined || m === undefined || p === undefined) {
    throw new EngineError('ARGON2_CONFIG', `"${text}" lacks one of t, m, p. Give ${FORMAT}.`);
  }
  return { iterations: t, memoryKiB: m, parallelism: p };
}

/** "t=3, m=65536 KiB, p=4 (default)" for messages and reports. */
export function describeArgon2Config(config: Argon2Config): string {
  const preset = PRESET_NAMES.find((name) => sameArgon2Config(ARGON2_PRESETS[name], config));
  const text = `t=${config.iterations}, m=${config.memoryKiB} KiB, p=${config.parallelism}`;
  return preset ? `${text} (${preset})` : text;
}

export function sameArgon2Config(a: Argon2Config, b: Argon2Config): boolean {
  return (
    a.iterations === b.iterations && a.memoryKiB === b.memoryKiB && a.parallelism === b.parallelism
  );
}
