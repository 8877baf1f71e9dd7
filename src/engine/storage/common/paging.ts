/**
 * What every store shares around paging and batches: streaming page after
 * page, how many records of a page fit a byte budget, and the checks on the
 * engine's own arguments (sample size, updated_at).
 */
import { EngineError } from '../../errors.js';
import { isSqliteDateTime } from './datetime.js';
import type { ReadRecordsOptions, VaultRecord } from '../types.js';

export const DEFAULT_PAGE_SIZE = 256;

type StreamOptions = Omit<ReadRecordsOptions, 'limit' | 'maxBytes'> & { pageSize?: number };

export function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new EngineError('INTERNAL', `${what} must be a positive integer (got ${value}).`);
  }
  return value;
}

/** A sample size: 0 or more (0 samples nothing). */
export function assertSampleCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new EngineError(
      'INTERNAL',
      `The sample size must be a non-negative integer (got ${count}).`,
    );
  }
}

/** updated_at as the library writes it: "YYYY-MM-DD HH:MM:SS" UTC. */
export function assertUpdatedAt(updatedAt: string): void {
  if (!isSqliteDateTime(updatedAt)) {
    throw new EngineError(
      'INTERNAL',
      `updated_at must be "YYYY-MM-DD HH:MM:SS" (got ${JSON.stringify(updatedAt)}).`,
    );
  }
}

/** Every matching record in key order, one page in memory at a time (never OFFSET). */
export async function* streamPages(
  readPage: (options: ReadRecordsOptions) => Promise<VaultRecord[]>,
  options: StreamOptions = {},
): AsyncGenerator<VaultRecord, void, undefined> {
  const pageSize = positiveInteger(options.pageSize ?? DEFAULT_PAGE_SIZE, 'The page size');
  // One "now" for the whole pass, so a record cannot change category mid-stream.
  const now = options.now ?? new Date();
  let afterKey = options.afterKey ?? null;
  for (;;) {
    const page = await readPage({ ...options, now, afterKey, limit: pageSize });
    yield* page;
    const last = page.at(-1);
    if (page.length < pageSize || last === undefined) return;
    afterKey = last.key;
  }
}

/** How many of the next records (their value sizes, in key order) fit in `maxBytes` (at least one). */
export function recordsWithinBytes(
  rows: Iterable<{ readonly bytes?: unknown }>,
  maxBytes: number,
): number {
  let bytes = 0;
  let count = 0;
  for (const row of rows) {
    bytes += Number(row.bytes ?? 0);
    if (count > 0 && bytes > maxBytes) break;
    count++;
  }
  return Math.max(1, count);
}
