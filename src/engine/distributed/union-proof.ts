/**
 * The coverage proof of a distributed rotation, for the union of its
 * shards: they still partition the key space as planned (bounds hash,
 * ranges chained end to end), their start counts add up to the total, and
 * the rounds are judged as one machine judges its sweep: a round that
 * found nothing another program wrote, and read as many records as a count
 * then finds, ends the rotation "completed"; a table still written by
 * others when the rounds run out ends it "incomplete"; anything
 * that cannot be explained is INTERNAL, never "completed".
 */
import { EngineError } from '../errors.js';
import { MAX_SWEEP_ROUNDS } from '../rotation/run/sweep.js';
import { assertPartition, boundsHash } from './plan-shards.js';
import type { RotationRow, ShardRow } from './types.js';

export type RoundVerdict =
  | { readonly kind: 'wait' }
  | { readonly kind: 'next'; readonly round: number }
  | { readonly kind: 'finish'; readonly status: 'completed' | 'incomplete' };

function internal(table: string, what: string): EngineError {
  return new EngineError(
    'INTERNAL',
    `The distributed rotation of the table ${JSON.stringify(table)} cannot say every record was rotated: ` +
      `${what}. Committed batches are kept; please report this, and run the rotation again (--resume).`,
  );
}

/** The shards as planned: same bounds, chained end to end, start counts adding up to the total. */
export function assertShardsPartition(rotation: RotationRow, shards: readonly ShardRow[]): void {
  if (shards.length !== rotation.shardCount || boundsHash(shards) !== rotation.boundsHash) {
    throw internal(rotation.table, 'its shards in the ledger are not the ones it planned');
  }
  assertPartition(shards, rotation.table);
  const sum = shards.reduce((total, shard) => total + shard.rowsAtStart, 0);
  if (sum !== rotation.rowsAtStart) {
    throw internal(
      rotation.table,
      `its shards held ${sum} records at the start, the table ${rotation.rowsAtStart}`,
    );
  }
}

const sum = (shards: readonly ShardRow[], field: keyof ShardRow): number =>
  shards.reduce((total, shard) => total + Number(shard[field]), 0);

/**
 * What follows once every shard finished the rotation's current round.
 * `countNow`: records in scope counted after the round (asked for only
 * when the round was quiet).
 */
export async function judgeRound(
  rotation: RotationRow,
  shards: readonly ShardRow[],
  countNow: () => Promise<number>,
  maxRounds = MAX_SWEEP_ROUNDS,
): Promise<RoundVerdict> {
  const round = rotation.round;
  if (!shards.every((shard) => shard.round === round && shard.done)) return { kind: 'wait' };
  assertShardsPartition(rotation, shards);
  // The pass is followed by a sweep: a server cannot tell whether another program wrote meanwhile.
  if (round === 0) return { kind: 'next', round: 1 };
  const found = sum(shards, 'roundFound');
  const read = sum(shards, 'roundRead');
  if (found === 0) {
    const scanned = sum(shards, 'scanned');
    // Nothing changed, nothing gone since the pass (records inserted ahead of its cursors it visited
    // too): it visited at least every record there at the start.
    if (round === 1 && sum(shards, 'roundDeleted') === 0 && scanned < rotation.rowsAtStart) {
      throw internal(
        rotation.table,
        `its shards visited ${scanned} records but ${rotation.rowsAtStart} were there when it started, and no other program wrote`,
      );
    }
    const unaccounted = (await countNow()) - read;
    if (unaccounted === 0) return { kind: 'finish', status: 'completed' };
    // A commit between the round and the count explains a difference once: one more round.
    if (round < maxRounds) return { kind: 'next', round: round + 1 };
    throw internal(
      rotation.table,
      `its last re-read found the table quiet but read ${Math.abs(unaccounted)} record(s) ` +
        `${unaccounted > 0 ? 'fewer' : 'more'} than it holds`,
    );
  }
  if (round < maxRounds) return { kind: 'next', round: round + 1 };
  // Still written by others when the rounds ran out: the last round found something new.
  return { kind: 'finish', status: 'incomplete' };
}
