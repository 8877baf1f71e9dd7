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

/** 0.1 per second is as precise as a rate gets; seconds to the millisecond. */
export function roundedRates<T extends object>(value: T): T {
  const rounded = { ...value } as Record<string, unknown>;
  if (typeof rounded.ratePerSecond === 'number') {
    rounded.ratePerSecond = Math.round(rounded.ratePerSecond * 10) / 10;
  }
  if (typeof rounded.seconds === 'number') {
    rounded.seconds = Math.round(rounded.seconds * 1000) / 1000;
  }
  return rounded as T;
}
