/**
 * Shard cuts of a distributed rotation: the server streams every S-th key
 * of the table in its own ordering of the primary key (never sorted here,
 * no invented sentinel bounds: the first range starts before every key and
 * the last ends after every key), and the ranges (lo, hi] are counted in
 * one snapshot with the same predicate the readers use, together with the
 * total: they must add up, else the ranges do not partition the table.
 */
import { createHash } from 'node:crypto';
import { EngineError } from '../errors.js';
import type { StoreFilter } from '../rotation/job/record-scope.js';
import type { VaultStore } from '../storage/types.js';
import type { Ledger } from './ledger/ledger.js';

export interface ShardBounds {
  readonly lo: string | null;
  readonly hi: string | null;
}

export interface PlannedShard extends ShardBounds {
  readonly rowsAtStart: number;
}

export interface ShardPlan {
  readonly shards: readonly PlannedShard[];
  /** records in scope, counted in the same snapshot as the shards' */
  readonly rowsAtStart: number;
  readonly boundsHash: string;
}

/** Records per shard by default: a few minutes of one small worker at the default preset. */
export const DEFAULT_SHARD_RECORDS = 5000;
/** Enough shards that every worker has several (a slow or lost one delays little). */
export const MIN_DEFAULT_SHARDS = 8;
export const MAX_SHARDS = 4096;

export function defaultShardCount(records: number, expectedWorkers: number): number {
  const bySize = Math.ceil(records / DEFAULT_SHARD_RECORDS);
  return Math.min(MAX_SHARDS, Math.max(MIN_DEFAULT_SHARDS * Math.max(1, expectedWorkers), bySize));
}

/** The hash of the bounds in order: any change to a range (or a shard lost or added) changes it. */
export function boundsHash(shards: readonly ShardBounds[]): string {
  return createHash('sha256')
    .update(JSON.stringify(shards.map((shard) => [shard.lo, shard.hi])))
    .digest('hex');
}

/** INTERNAL unless the ranges chain: first and last unbounded, each starting where the one before ends. */
export function assertPartition(shards: readonly ShardBounds[], table: string): void {
  const broken =
    shards.length === 0 ||
    shards[0]!.lo !== null ||
    shards.at(-1)!.hi !== null ||
    shards.some((shard, i) => i > 0 && (shard.lo === null || shard.lo !== shards[i - 1]!.hi));
  if (broken) {
    throw new EngineError(
      'INTERNAL',
      `The shards of the table ${JSON.stringify(table)} do not cover its key space end to end: refused ` +
        'rather than leave records unvisited. Please report this.',
    );
  }
}

/** Cuts at every `every`-th key: the ranges (null, k1], (k1, k2], ..., (kn, null). */
export function boundsFromCuts(cuts: readonly string[]): ShardBounds[] {
  const bounds: ShardBounds[] = [];
  let lo: string | null = null;
  for (const cut of cuts) {
    bounds.push({ lo, hi: cut });
    lo = cut;
  }
  bounds.push({ lo, hi: null });
  return bounds;
}

export async function planShards(
  store: VaultStore,
  ledger: Ledger,
  options: { readonly table: string; readonly filter: StoreFilter; readonly shards: number },
): Promise<ShardPlan> {
  const { table, filter } = options;
  if (!store.everyNthKey) {
    throw new EngineError('DISTRIBUTED_SQLITE', `${store.path} cannot be cut into shards.`);
  }
  const all = await store.countRecords(table, { includeSoftDeleted: true });
  const wanted = Math.max(1, Math.min(options.shards, all));
  // Every S-th key: at most wanted - 1 cuts (a cut at the very last key would leave an empty range).
  const every = Math.max(1, Math.ceil(all / wanted));
  const cuts = wanted <= 1 ? [] : (await store.everyNthKey(table, every)).slice(0, wanted - 1);
  const bounds = boundsFromCuts(cuts);
  assertPartition(bounds, table);
  // One snapshot: the total and each range, with the readers' own predicate.
  const counted = await ledger.snapshot(async () => {
    const total = await store.countRecords(table, { ...filter, afterKey: null, upToKey: null });
    const each: number[] = [];
    for (const shard of bounds) {
      each.push(
        await store.countRecords(table, { ...filter, afterKey: shard.lo, upToKey: shard.hi }),
      );
    }
    return { total, each };
  });
  const sum = counted.each.reduce((a, b) => a + b, 0);
  if (sum !== counted.total) {
    throw new EngineError(
      'INTERNAL',
      `Cut into ${bounds.length} key ranges, the table ${JSON.stringify(table)} in ${store.path} counts ` +
        `${sum} records in them but ${counted.total} in all (one snapshot): the server does not order its ` +
        'ids the way the ranges were cut, so some records would be visited twice or never. Nothing was ' +
        'changed; rotate on one machine (rotate without --queue) and please report this with the table definition.',
    );
  }
  return {
    shards: bounds.map((shard, i) => ({ ...shard, rowsAtStart: counted.each[i]! })),
    rowsAtStart: counted.total,
    boundsHash: boundsHash(bounds),
  };
}
