/**
 * The coverage proof of a distributed rotation judged on ledger rows: the
 * shards must still be the planned partition and add up; rounds go on while
 * others write; "completed" only after a quiet round that read what a count
 * finds; "incomplete" when the rounds run out; INTERNAL for what cannot be
 * explained.
 */
import { describe, expect, it } from 'vitest';
import { judgeRound } from '../../../src/engine/distributed/union-proof.js';
import { rotation, shards } from './support/ledger-rows.js';

const count = (n: number) => () => Promise.resolve(n);

describe('judgeRound', () => {
  it('waits while a shard has not finished the round', async () => {
    const rows = shards(1);
    rows[2] = { ...rows[2]!, done: false };
    expect(await judgeRound(rotation(1), rows, count(30))).toEqual({ kind: 'wait' });
  });

  it('sweeps after the pass, and completes after a quiet round that read what the count finds', async () => {
    expect(await judgeRound(rotation(0), shards(0), count(30))).toEqual({ kind: 'next', round: 1 });
    expect(await judgeRound(rotation(1), shards(1), count(30))).toEqual({
      kind: 'finish',
      status: 'completed',
    });
  });

  it('goes on while others write, and ends incomplete when the rounds run out', async () => {
    const writing = shards(3, { roundFound: 1 });
    expect(await judgeRound(rotation(3), writing, count(30))).toEqual({ kind: 'next', round: 4 });
    expect(await judgeRound(rotation(5), shards(5, { roundFound: 1 }), count(30))).toEqual({
      kind: 'finish',
      status: 'incomplete',
    });
  });

  it('a quiet round that read fewer records than the count: another round, then INTERNAL', async () => {
    expect(await judgeRound(rotation(2), shards(2), count(31))).toEqual({ kind: 'next', round: 3 });
    await expect(judgeRound(rotation(5), shards(5), count(31))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
  });

  it('INTERNAL when the pass alone should have covered the table but visited fewer records', async () => {
    const short = shards(1, { scanned: 9, roundRead: 9 });
    await expect(judgeRound(rotation(1), short, count(27))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    // Records deleted since the pass explain it; records inserted ahead of the cursors are no anomaly.
    expect(
      await judgeRound(
        rotation(1),
        shards(1, { scanned: 9, roundRead: 9, roundDeleted: 1 }),
        count(27),
      ),
    ).toEqual({
      kind: 'finish',
      status: 'completed',
    });
    expect(
      await judgeRound(rotation(1), shards(1, { scanned: 11, roundRead: 11 }), count(33)),
    ).toEqual({
      kind: 'finish',
      status: 'completed',
    });
  });

  it('INTERNAL when the shards are not the planned partition or do not add up', async () => {
    const moved = shards(1);
    moved[1] = { ...moved[1]!, hi: 'k21' };
    moved[2] = { ...moved[2]!, lo: 'k21' };
    await expect(judgeRound(rotation(1), moved, count(30))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await expect(judgeRound(rotation(1), shards(1).slice(0, 2), count(20))).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    await expect(
      judgeRound(rotation(1, { rowsAtStart: 31 }), shards(1), count(30)),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
