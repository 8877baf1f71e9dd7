import { describe, expect, it } from 'vitest';
import {
  ARGON2_PRESET_NAMES,
  ARGON2_PRESETS,
  argon2ConfigProblem,
  keyLengthOf,
  MAX_ITERATIONS,
  MAX_MEMORY_KIB,
  MAX_PARALLELISM,
  saltLengthOf,
  type Argon2Config,
} from '../../src/core/argon2.js';

const tiny = ARGON2_PRESETS.tiny;

describe('core Argon2id presets', () => {
  it('are the Go library presets, and every one passes the check', () => {
    expect(ARGON2_PRESETS).toEqual({
      default: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
      lightweight: { iterations: 2, memoryKiB: 32768, parallelism: 2 },
      high: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
      tiny: { iterations: 1, memoryKiB: 64, parallelism: 1 },
    });
    expect([...ARGON2_PRESET_NAMES].sort()).toEqual(Object.keys(ARGON2_PRESETS).sort());
    for (const name of ARGON2_PRESET_NAMES)
      expect(argon2ConfigProblem(ARGON2_PRESETS[name])).toBeNull();
  });

  it('means k=32 and salt=16 when they are omitted', () => {
    expect(keyLengthOf(tiny)).toBe(32);
    expect(saltLengthOf(tiny)).toBe(16);
    expect(keyLengthOf({ keyLength: 16 })).toBe(16);
    expect(saltLengthOf({ saltLength: 24 })).toBe(24);
  });
});

describe('argon2ConfigProblem (the one config check)', () => {
  const field = (config: Argon2Config, limits?: 'tool' | 'backend') =>
    argon2ConfigProblem(config, limits)?.field ?? null;

  it.each([
    ['t = 1', { ...tiny, iterations: 1 }, null],
    ['t = 0', { ...tiny, iterations: 0 }, 'iterations'],
    ['t = 1.5', { ...tiny, iterations: 1.5 }, 'iterations'],
    ['t = max', { ...tiny, iterations: MAX_ITERATIONS }, null],
    ['t = max + 1', { ...tiny, iterations: MAX_ITERATIONS + 1 }, 'iterations'],
    ['p = 0', { ...tiny, parallelism: 0 }, 'parallelism'],
    ['p = 255, m = 8p', { iterations: 1, memoryKiB: 8 * 255, parallelism: MAX_PARALLELISM }, null],
    ['p = 256', { iterations: 1, memoryKiB: 8 * 256, parallelism: 256 }, 'parallelism'],
    ['m = 8p', { iterations: 1, memoryKiB: 16, parallelism: 2 }, null],
    ['m = 8p - 1', { iterations: 1, memoryKiB: 15, parallelism: 2 }, 'memoryKiB'],
    ['m = max', { ...tiny, memoryKiB: MAX_MEMORY_KIB }, null],
    ['m = max + 1', { ...tiny, memoryKiB: MAX_MEMORY_KIB + 1 }, 'memoryKiB'],
    ['m = NaN', { ...tiny, memoryKiB: Number.NaN }, 'memoryKiB'],
    ['k = 16', { ...tiny, keyLength: 16 }, null],
    ['k = 24', { ...tiny, keyLength: 24 }, null],
    ['k = 20', { ...tiny, keyLength: 20 }, 'keyLength'],
    ['salt = 8', { ...tiny, saltLength: 8 }, null],
    ['salt = 7', { ...tiny, saltLength: 7 }, 'saltLength'],
    ['salt = 1024', { ...tiny, saltLength: 1024 }, null],
    ['salt = 1025', { ...tiny, saltLength: 1025 }, 'saltLength'],
    ['salt = 16.5', { ...tiny, saltLength: 16.5 }, 'saltLength'],
  ] as [string, Argon2Config, string | null][])('%s -> %s', (_name, config, expected) => {
    expect(field(config)).toBe(expected);
  });

  it('reports the first problem in the order t, p, m, k, salt', () => {
    expect(field({ iterations: 0, memoryKiB: 0, parallelism: 0, keyLength: 1 })).toBe('iterations');
    expect(field({ iterations: 1, memoryKiB: 0, parallelism: 0 })).toBe('parallelism');
    expect(field({ iterations: 1, memoryKiB: 0, parallelism: 1, keyLength: 1 })).toBe('memoryKiB');
    expect(field({ ...tiny, keyLength: 1, saltLength: 1 })).toBe('keyLength');
  });

  it("leaves the tool's caps to 'tool' limits: the backends compute any uint32 t and m", () => {
    const huge = { iterations: MAX_ITERATIONS + 1, memoryKiB: MAX_MEMORY_KIB + 1, parallelism: 1 };
    expect(field(huge, 'backend')).toBeNull();
    expect(field(huge, 'tool')).toBe('memoryKiB');
    expect(field({ ...tiny, iterations: 2 ** 32 }, 'backend')).toBe('iterations');
  });

  it('says what is allowed and how to fix it', () => {
    expect(argon2ConfigProblem({ iterations: 1, memoryKiB: 15, parallelism: 2 })?.message).toMatch(
      /at least 8 x parallelism \(16\), got 15\. Use the t, m and p/,
    );
    expect(argon2ConfigProblem({ ...tiny, saltLength: 4 })?.message).toMatch(/RFC 9106/);
    expect(argon2ConfigProblem({ ...tiny, memoryKiB: MAX_MEMORY_KIB + 1 })?.message).toMatch(
      /m is in KiB/,
    );
  });
});
