/**
 * Seeded randomness for the fault-injection tests: every run prints its seed,
 * and RELIABILITY_SEED=<seed> replays a failing run exactly (same delays,
 * same faults, same inputs).
 */
import { randomInt } from 'node:crypto';

export interface Random {
  readonly seed: number;
  /** uniform in [0, 1) */
  next(): number;
  /** integer in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: tiny, fast, good enough to spread delays and choices. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick() needs a non-empty list');
      return item;
    },
  };
}

/** The seed of this run: $RELIABILITY_SEED or a fresh one, printed with the test's name. */
export function seededRandom(testName: string): Random {
  const fromEnv = process.env.RELIABILITY_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : randomInt(2 ** 31);
  console.log(`[seed] ${testName}: RELIABILITY_SEED=${seed}`);
  return createRandom(seed);
}
