/**
 * Counts and sizes as people read them, one way everywhere: en-US digit
 * grouping ("12,345", stable in tests and reports) and binary sizes with
 * their IEC names (1 KiB = 1,024 B; MiB, GiB, TiB), as Argon2id's m is.
 */

/**
 * Created on first use: constructing an Intl.NumberFormat reads ~4 MiB of
 * the ICU data in the node binary, pages every process that imports this
 * module (the engine does, through verdict.ts) would keep resident
 * (issue 20: peak RSS of a rotation).
 */
let formats: { readonly whole: Intl.NumberFormat; readonly oneDecimal: Intl.NumberFormat } | null =
  null;

function intl(): NonNullable<typeof formats> {
  formats ??= {
    whole: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
    oneDecimal: new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }),
  };
  return formats;
}

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "1,234": en-US digit grouping; integers below 2^53 without ICU (a CLI's progress line, the engine). */
export function formatCount(value: number): string {
  const rounded = Math.round(value);
  if (!Number.isSafeInteger(rounded) || Object.is(rounded, -0)) return intl().whole.format(rounded);
  const digits = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ',');
  return rounded < 0 ? `-${digits}` : digits;
}

/** "512 B", "80 KiB", "5.3 MiB", "1,536 TiB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${intl().oneDecimal.format(value)} ${BINARY_UNITS[unit]}`;
}

/** Argon2id memory, given in KiB: "64 MiB" when whole, else "1,000 KiB". */
export function formatKiB(kib: number): string {
  return kib % 1024 === 0 ? `${formatCount(kib / 1024)} MiB` : `${formatCount(kib)} KiB`;
}
