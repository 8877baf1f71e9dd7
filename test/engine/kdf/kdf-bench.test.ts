/** The KDF benchmark runs every backend and mode and cleans up; its figures are not asserted. */
import { describe, expect, it } from 'vitest';
import { benchmarkKdf, formatKdfBench } from '../../../bench/kdf-bench.js';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';

describe('benchmarkKdf', () => {
  it('measures native and wasm, single and pool, in one run', async () => {
    const config = ARGON2_PRESETS.tiny;
    const results = await benchmarkKdf({ config, seconds: 0.2, poolSize: 2 });
    expect(results.map((r) => `${r.backend}/${r.mode}/${r.threads}`)).toEqual([
      'native/single/1',
      'native/pool/2',
      'wasm/single/1',
      'wasm/pool/2',
    ]);
    for (const r of results) {
      expect(r.derivations).toBeGreaterThanOrEqual(r.threads);
      expect(r.perSecond).toBeCloseTo(r.derivations / r.seconds, 6);
    }
    const table = formatKdfBench(results, config);
    expect(table).toContain('t=1 m=64 KiB p=1');
    expect(table).toMatch(/native\/wasm single: [\d.]+x/);
  });
});
