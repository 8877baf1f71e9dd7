/**
 * The sample's kept results: given to the pass only for the same value, and
 * held within a byte budget (a sample of large values re-derives the rest:
 * large-values-memory.test.ts measures the peak that budget keeps down).
 */
import { describe, expect, it } from 'vitest';
import type { CryptoTaskResult } from '../../../../src/engine/pool/protocol.js';
import { SampledResults } from '../../../../src/engine/rotation/checks/sampled-results.js';
import type { VaultRecord } from '../../../../src/engine/storage/types.js';

const record = (key: string, value: string): VaultRecord => ({
  key,
  id: key,
  value,
  softDeleted: false,
});

const rotated = (newValue: string): CryptoTaskResult => ({
  outcome: { kind: 'rotated', version: 'v2', newValue },
  derivations: 2,
  openDeriveMs: 1,
  writeDeriveMs: 1,
});

describe('SampledResults', () => {
  it('gives a kept result once, and only for the value that was sampled', () => {
    const kept = new SampledResults('rotate');
    for (const sampled of [record('a', 'old-a'), record('b', 'old-b')]) {
      expect(kept.reserve(sampled)).toBe(true);
      kept.keep(sampled, rotated(`new-${sampled.key}`));
    }
    // a record whose task was not reserved (it ran as an open) is not kept
    kept.keep(record('z', 'old-z'), rotated('new-z'));
    expect(kept.size).toBe(2);
    expect(kept.take(record('a', 'old-a'))?.outcome).toMatchObject({ newValue: 'new-a' });
    expect(kept.take(record('a', 'old-a'))).toBeNull();
    // another program wrote b since the sample: derived again
    expect(kept.take(record('b', 'written-since'))).toBeNull();
    expect(kept).toMatchObject({ reused: 1, reusedDerivations: 2, size: 0 });
  });

  it('reserves no more than its byte budget, and frees what the pass took', () => {
    const big = 'x'.repeat(400);
    const kept = new SampledResults('rotate', 1000);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((key) => record(key, big));
    expect([a, b, c].map((sampled) => kept.reserve(sampled!))).toEqual([true, true, false]);
    kept.keep(a!, rotated(big));
    kept.keep(b!, rotated(big));
    kept.keep(c!, rotated(big));
    expect(kept.size).toBe(2);
    expect(kept.take(c!)).toBeNull();
    expect(kept.take(a!)).not.toBeNull();
    expect(kept.reserve(d!)).toBe(true);
    kept.keep(d!, rotated(big));
    expect(kept.take(d!)).not.toBeNull();
  });

  it('gives back the reservation of a task that was aborted', () => {
    const kept = new SampledResults('rotate', 100);
    const a = record('a', 'y'.repeat(90));
    expect(kept.reserve(a)).toBe(true);
    expect(kept.reserve(record('b', 'y'.repeat(90)))).toBe(false);
    kept.keep(a, {
      outcome: { kind: 'aborted' },
      derivations: 0,
      openDeriveMs: 0,
      writeDeriveMs: 0,
    });
    expect(kept.reserve(record('b', 'y'.repeat(90)))).toBe(true);
  });
});
