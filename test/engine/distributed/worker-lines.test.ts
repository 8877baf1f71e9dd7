/**
 * A worker's line: in the result, one the ledger still has "working" but
 * that was not seen for the queue's lock time when the rotation ended was
 * killed or cut off, and the result says "lost", not "working"; in the
 * progress, the shard of the current round it holds.
 */
import { describe, expect, it } from 'vitest';
import { WORKER_LOST_AFTER_MS } from '../../../src/core/distributed.js';
import { withHeldShards } from '../../../src/engine/distributed/coordinator-drive.js';
import { summaryOf } from '../../../src/engine/distributed/coordinator-result.js';
import type { WorkerRow } from '../../../src/engine/distributed/types.js';
import { rotation, shards } from './support/ledger-rows.js';

const row = (state: string, lastSeenMs: number, worker = 'host-a:1'): WorkerRow => ({
  worker,
  host: 'host-a',
  pool: 2,
  backend: 'native',
  state,
  records: 120,
  rate: 3,
  lastSeenMs,
});

describe('summaryOf', () => {
  const now = 1_000_000;
  it('says lost of a working worker silent for longer than the lock time', () => {
    expect(summaryOf(row('working', now - WORKER_LOST_AFTER_MS - 1), now)).toMatchObject({
      state: 'lost',
      records: 120,
    });
  });
  it('keeps the state of one seen lately, and of one that left or was refused', () => {
    expect(summaryOf(row('working', now - 1000), now).state).toBe('working');
    expect(summaryOf(row('left', 0), now).state).toBe('left');
    expect(summaryOf(row('refused', 0), now).state).toBe('refused');
  });
});

describe('withHeldShards', () => {
  it('names the shard of this round a worker owns and has not finished, else none', () => {
    const rows = shards(1, { done: true, owner: 'host-a:1' });
    rows[1] = { ...rows[1]!, done: false, owner: 'host-b:1' };
    // host-a's shard 2 of the round before is not this round's
    rows[2] = { ...rows[2]!, done: false, owner: 'host-a:1', round: 0 };
    const workers = [row('working', 0, 'host-a:1'), row('working', 0, 'host-b:1')];
    expect(withHeldShards(rotation(1), rows, workers).map((worker) => worker.shard)).toEqual([
      null,
      1,
    ]);
  });
});
