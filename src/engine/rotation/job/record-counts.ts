/**
 * The one counts shape (core RecordCounts) and its zero: the main pass counts
 * in it, the checkpoint keeps it over all runs, progress and the result read
 * it. Shapes that need fewer fields derive from it (Pick/Omit).
 */
import type { RecordCounts } from '../types.js';

export type { RecordCounts };

/** Counts a job can increment. */
export type Tally<T> = { -readonly [K in keyof T]: T[K] };

export const NO_COUNTS: RecordCounts = Object.freeze({
  scanned: 0,
  rotated: 0,
  skipped: 0,
  failed: 0,
  opened: 0,
  bytes: 0,
});

/** Exactly the record counts of a larger tally (nothing else of it lands in a checkpoint). */
export function recordCountsOf(counts: RecordCounts): RecordCounts {
  const { scanned, rotated, skipped, failed, opened, bytes } = counts;
  return { scanned, rotated, skipped, failed, opened, bytes };
}

export function sumCounts(base: RecordCounts, run: RecordCounts): RecordCounts {
  return {
    scanned: base.scanned + run.scanned,
    rotated: base.rotated + run.rotated,
    skipped: base.skipped + run.skipped,
    failed: base.failed + run.failed,
    opened: base.opened + run.opened,
    bytes: base.bytes + run.bytes,
  };
}
