/**
 * core/units.ts: formatCount groups digits as Intl's en-US format does, and
 * importing the module constructs no Intl.NumberFormat (that reads ~4 MiB of
 * ICU data every process importing the engine would keep resident, issue 20).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const reference = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const NumberFormat = Intl.NumberFormat;
let constructed = 0;

/** Counts the Intl.NumberFormat objects made from now on (the real ones). */
function countConstructions(): void {
  constructed = 0;
  const counting = function (...args: ConstructorParameters<typeof NumberFormat>) {
    constructed++;
    return new NumberFormat(...args);
  };
  Intl.NumberFormat = counting as unknown as typeof NumberFormat;
}

afterEach(() => {
  Intl.NumberFormat = NumberFormat;
  vi.resetModules();
});

describe('formatCount', () => {
  it('formats as Intl en-US does, without ICU for safe integers', async () => {
    const { formatCount } = await import('../../src/core/units.js');
    const values = [
      0,
      -0,
      0.4,
      -0.4,
      1,
      12,
      123,
      999,
      1000,
      1234.5,
      -1234.5,
      99_999,
      100_000,
      999_999,
      1_000_000,
      -1_000_000,
      123_456_789,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      2 ** 60,
      1e21,
      1e300,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (let digits = 1; digits <= 16; digits++) values.push(Number('7'.repeat(digits)));
    for (const value of values) {
      expect(formatCount(value), String(value)).toBe(reference.format(Math.round(value)));
    }
  });

  it('constructs no Intl.NumberFormat on import or for a safe integer, only when needed', async () => {
    countConstructions();
    const units = await import('../../src/core/units.js');
    expect(units.formatCount(1_234_567)).toBe('1,234,567');
    expect(constructed).toBe(0);
    // sizes with a decimal still use Intl, created on first use
    expect(units.formatBytes(5.3 * 1024 * 1024)).toBe('5.3 MiB');
    expect(constructed).toBe(2);
    units.formatBytes(80 * 1024);
    expect(constructed).toBe(2);
  });
});
