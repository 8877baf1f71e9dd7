/**
 * The --json contract: every line carries `schemaVersion` (raised when a
 * field changes meaning or goes away; new fields do not raise it), and
 * numbers meant for people are rounded.
 */
export const JSON_SCHEMA_VERSION = 1;

/** `value` with `type` first, then the schema version (an object without a type gets the version first). */
export function versioned(value: object): object {
  const { type, ...rest } = value as { type?: unknown };
  return type === undefined
    ? { schemaVersion: JSON_SCHEMA_VERSION, ...rest }
    : { type, schemaVersion: JSON_SCHEMA_VERSION, ...rest };
}

/** Decimals kept of each measured number: a tenth of a record per second, a millisecond. */
const DECIMALS: Readonly<Record<string, number>> = {
  ratePerSecond: 1,
  seconds: 3,
  estimatedSeconds: 3,
  msPerDerivation: 3,
};

/** `value` with its measured numbers (rates, durations) rounded: noise digits say nothing. */
export function roundedRates<T extends object>(value: T): T {
  const rounded = { ...value } as Record<string, unknown>;
  for (const [key, decimals] of Object.entries(DECIMALS)) {
    const number = rounded[key];
    if (typeof number === 'number') {
      const scale = 10 ** decimals;
      rounded[key] = Math.round(number * scale) / scale;
    }
  }
  return rounded as T;
}
