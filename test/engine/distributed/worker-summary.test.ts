/**
 * A result's line per worker: a worker the ledger still has "working" but
 * that was not seen for the queue's lock time when the rotation ended was
 * killed or cut off, and the result says "lost", not "working".
 */
import { describe, expect, it } from 'vitest';
import { WORKER_LOST_AFTER_MS } from '../../../src/core/distributed.js';
import { summaryOf } from '../../../src/engine/distributed/coordinator-result.js';
import type { WorkerRow } from '../../../src/engine/distributed/types.js';

const row = (state: string, lastSeenMs: number): WorkerRow => ({
  worker: 'host-a:1',
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
