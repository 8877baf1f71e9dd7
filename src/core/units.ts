/**
 * Counts and sizes as people read them, one way everywhere: en-US digit
 * grouping ("12,345", stable in tests and reports) and binary sizes with
 * their IEC names (1 KiB = 1,024 B; MiB, GiB, TiB), as Argon2id's m is.
 */

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** "1,234" */
export function formatCount(value: number): string {
  return whole.format(Math.round(value));
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
  return `${oneDecimal.format(value)} ${BINARY_UNITS[unit]}`;
}

/** Argon2id memory, given in KiB: "64 MiB" when whole, else "1,000 KiB". */
export function formatKiB(kib: number): string {
  return kib % 1024 === 0 ? `${formatCount(kib / 1024)} MiB` : `${formatCount(kib)} KiB`;
}
