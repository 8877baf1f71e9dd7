/**
 * What the ledger hands out and takes in: a run's claim on a shard, the
 * visit entries of its batches, a new rotation's rows, and FencedOut, the
 * answer of a fenced write that matched nothing.
 */
import type { RotationRow, ShardRow } from '../types.js';

/** A fenced write matched nothing: another run holds the shard, or the rotation stopped. */
export class FencedOut extends Error {
  constructor() {
    super('fenced out of the shard (another run claimed it, or the rotation stopped)');
    this.name = 'FencedOut';
  }
}

export type NewRotation = Pick<
  RotationRow,
  'id' | 'table' | 'now' | 'includeSoftDeleted' | 'openConfig' | 'writeConfig' | 'canaries'
> &
  Pick<RotationRow, 'rowsAtStart' | 'boundsHash'> & {
    readonly coordinator: string;
    readonly shards: readonly { lo: string | null; hi: string | null; rowsAtStart: number }[];
  };

/** A run's hold on a shard for one round. */
export interface ShardClaim {
  readonly rotation: string;
  readonly shard: number;
  readonly epoch: number;
  readonly owner: string;
  /** the row as claimed (counts so far, cursor to continue from) */
  readonly row: ShardRow;
}

/** One visit entry: a record key and the 30-bit fingerprint left there (-1: unknown). */
export type VisitEntry = readonly [key: string, mark: number];
