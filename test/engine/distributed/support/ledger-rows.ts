/** Ledger rows for the tests that judge them without a database: 3 shards, (-, k10], (k10, k20], (k20, -). */
import { NO_SHARD_COUNTS } from '../../../../src/engine/distributed/ledger/rows.js';
import { boundsFromCuts, boundsHash } from '../../../../src/engine/distributed/plan-shards.js';
import type { RotationRow, ShardRow } from '../../../../src/engine/distributed/types.js';
import { tiny } from './distributed-setup.js';

export const bounds = boundsFromCuts(['k10', 'k20']);

export function rotation(round: number, extra: Partial<RotationRow> = {}): RotationRow {
  return {
    id: 'r1',
    table: 'vault',
    state: 'running',
    now: new Date(0),
    includeSoftDeleted: true,
    openConfig: tiny,
    writeConfig: tiny,
    canaries: { old: 'x', new: 'y' },
    rowsAtStart: 30,
    shardCount: 3,
    boundsHash: boundsHash(bounds),
    round,
    coordinator: null,
    heartbeatMs: null,
    startedMs: 0,
    updatedMs: 0,
    ...extra,
  };
}

export function shards(round: number, each: Partial<ShardRow> = {}): ShardRow[] {
  return bounds.map((range, shard) => ({
    ...NO_SHARD_COUNTS,
    ...range,
    shard,
    rowsAtStart: 10,
    epoch: 1,
    owner: null,
    round,
    done: true,
    cursor: null,
    scanned: 10,
    roundRead: 10,
    roundFound: 0,
    roundOpened: 0,
    roundDeleted: 0,
    failure: null,
    ...each,
  }));
}
