/**
 * The pool size default (src/engine/rotation/job/pool-size.ts): one worker
 * per usable core, whatever the preset's parallelism, lowered for memory and
 * small jobs. The figures behind it are measured by `npm run bench` (section
 * pool-size, docs/performance.md); this tests the rule.
 */
import { describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../../../src/engine/index.js';
import {
  choosePoolSize,
  defaultPoolSize,
  usableCores,
} from '../../../../src/engine/rotation/job/pool-size.js';

const { default: DEFAULT, tiny: TINY } = ARGON2_PRESETS;

describe('defaultPoolSize', () => {
  it('gives one worker per usable core, at least one', () => {
    expect([0, 1, 2, 3, 4, 16, 64].map((cores) => defaultPoolSize(cores))).toEqual([
      1, 1, 2, 3, 4, 16, 64,
    ]);
  });
});

describe('choosePoolSize', () => {
  it('uses one worker per usable core for every preset when no size is asked for', () => {
    const cores = usableCores();
    expect(choosePoolSize(undefined, [DEFAULT], 1_000_000)).toBe(cores);
    expect(choosePoolSize(undefined, [TINY], 1_000_000)).toBe(cores);
    expect(choosePoolSize(undefined, [DEFAULT, TINY], 1_000_000)).toBe(cores);
  });

  it('keeps an asked-for size, lowered for a small job and to fit in memory', () => {
    expect(choosePoolSize(3, [DEFAULT], 1_000)).toBe(3);
    expect(choosePoolSize(3, [DEFAULT], 2)).toBe(2);
    expect(choosePoolSize(3, [DEFAULT], 0)).toBe(1);
    // 1 TiB a derivation fits no machine this runs on twice: one worker
    expect(choosePoolSize(4, [{ ...DEFAULT, memoryKiB: 2 ** 30 }], 1_000)).toBe(1);
  });
});
