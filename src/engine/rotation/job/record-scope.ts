/**
 * Which records a job works on: one value, built once per job from its
 * options and passed whole (rotation, reader, pipeline, sweep, samples,
 * checkpoint), so a new filter is spelled here and in the store, not at
 * every layer. `scopeFilter` is the one place a scope becomes the store's
 * count/read/sample options; `savedScope` what a checkpoint keeps of it.
 */
import type { ReadRecordsOptions } from '../../storage/types.js';
import type { RecordScopeOptions } from '../types.js';

export interface RecordScope {
  readonly table: string;
  /** soft-deleted records are in scope (default true: the Go library skips them, leaving old-password values) */
  readonly includeSoftDeleted: boolean;
  /** one "now" for the whole job, so no record changes category (soft-deleted or not) mid-run */
  readonly now: Date;
  /** only records after this key (a resume cursor); null: from the first record */
  readonly afterKey: string | null;
  /** only records up to this key, included (a distributed rotation's shard); absent or null: to the end */
  readonly upToKey?: string | null;
}

/** The scope of a job over `table`, from its options, from the first record. */
export function recordScope(table: string, options: RecordScopeOptions, now: Date): RecordScope {
  return { table, includeSoftDeleted: options.includeSoftDeleted ?? true, now, afterKey: null };
}

/** The same records, only those after `afterKey` (null: from the first record again). */
export function scopeAfter(scope: RecordScope, afterKey: string | null): RecordScope {
  return scope.afterKey === afterKey ? scope : { ...scope, afterKey };
}

/** The store's filter for count, read and sample calls (storage/types.ts ReadRecordsOptions). */
export type StoreFilter = Omit<ReadRecordsOptions, 'limit' | 'maxBytes'>;

/** The one conversion of a scope into the store's options. */
export function scopeFilter(scope: RecordScope): StoreFilter {
  return {
    afterKey: scope.afterKey,
    upToKey: scope.upToKey ?? null,
    includeSoftDeleted: scope.includeSoftDeleted,
    now: scope.now,
  };
}

/** Samples are drawn from every record in scope, before the cursor too ("already rotated?" looks there). */
export function sampleFilter(scope: RecordScope): StoreFilter {
  return scopeFilter(scopeAfter(scope, null));
}

/**
 * What a checkpoint keeps of the scope: the table and the filter (not the
 * cursor, kept apart, nor "now", which each run reads anew).
 */
export type SavedScope = Pick<RecordScope, 'table' | 'includeSoftDeleted'>;

export function savedScope(scope: RecordScope): SavedScope {
  return { table: scope.table, includeSoftDeleted: scope.includeSoftDeleted };
}

/** A checkpoint read from disk holds a whole saved scope. */
export function isSavedScope(value: { readonly [K in keyof SavedScope]?: unknown }): boolean {
  return typeof value.table === 'string' && typeof value.includeSoftDeleted === 'boolean';
}

/** Why a resume with `expected` would not continue the rotation saved with `saved` (its filter); null when it would. */
export function filterMismatch(saved: SavedScope, expected: SavedScope): string | null {
  if (saved.includeSoftDeleted !== expected.includeSoftDeleted) {
    return saved.includeSoftDeleted
      ? 'it included soft-deleted records'
      : 'it skipped soft-deleted records';
  }
  return null;
}

/** What the scope left out, for people: those records may still open with the old password. */
export function scopeNotes(scope: RecordScope): string[] {
  return scope.includeSoftDeleted
    ? []
    : [
        'Soft-deleted records were left as they were: any of them under the old password still opens with it.',
      ];
}
