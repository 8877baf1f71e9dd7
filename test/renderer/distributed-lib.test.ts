import { describe, expect, it } from 'vitest';
import type { DistributedProgress } from '../../src/core/distributed.js';
import {
  etaMs,
  rateSampleOf,
  shardTally,
  totalRate,
  WORKER_LOST_AFTER_MS,
  workerViews,
} from '../../src/renderer/lib/distributed-view.js';
import { queueFormProblems, INITIAL_QUEUE_FORM } from '../../src/renderer/lib/queue-form.js';
import {
  addRateSample,
  EMPTY_RATE_HISTORY,
  MAX_RATE_SAMPLES,
  niceCeiling,
  rateChartModel,
  rateChartText,
  type RateHistory,
} from '../../src/renderer/lib/rate-history.js';
import { workerRow } from './support/distributed-fixtures.js';

function progress(extra: Partial<DistributedProgress> = {}): DistributedProgress {
  return {
    rotation: 'r1',
    phase: 'pass',
    round: 0,
    total: 10_000,
    scanned: 2_000,
    rotated: 1_900,
    skipped: 100,
    failed: 0,
    shards: 10,
    shardsDone: 3,
    workers: [],
    failing: [],
    ...extra,
  };
}

function historyOf(count: number, rateAt: (index: number) => number): RateHistory {
  let history = EMPTY_RATE_HISTORY;
  for (let index = 0; index < count; index += 1) {
    history = addRateSample(history, {
      tMs: index * 1000,
      total: rateAt(index),
      workers: { a: rateAt(index) / 2 },
    });
  }
  return history;
}

describe('rate history', () => {
  it('stays bounded over a long run, keeping its whole span and the mean of merged rates', () => {
    const history = historyOf(1000, () => 100);
    expect(history.samples.length).toBeLessThanOrEqual(MAX_RATE_SAMPLES);
    expect(history.samples.length).toBeGreaterThan(MAX_RATE_SAMPLES / 2);
    expect(history.samples[0]!.tMs).toBe(0);
    expect(history.samples.at(-1)!.tMs).toBe(999_000);
    expect(history.samples.every((sample) => sample.total === 100)).toBe(true);
    expect(history.samples.every((sample) => sample.workers.a === 50)).toBe(true);
  });

  it('merges neighbours into their mean rate at the later time', () => {
    const history = historyOf(MAX_RATE_SAMPLES + 1, (index) => (index % 2 === 0 ? 10 : 30));
    expect(history.samples.length).toBe(61);
    // The first stays; then (1: 30, 2: 10) -> 20 at t = 2 s.
    expect(history.samples[0]).toEqual({ tMs: 0, total: 10, workers: { a: 5 } });
    expect(history.samples[1]).toEqual({ tMs: 2000, total: 20, workers: { a: 10 } });
  });

  it('drops samples out of order and rates that are not a number', () => {
    const one = addRateSample(EMPTY_RATE_HISTORY, { tMs: 5, total: 1, workers: {} });
    expect(addRateSample(one, { tMs: 5, total: 2, workers: {} })).toBe(one);
    expect(addRateSample(one, { tMs: 4, total: 2, workers: {} })).toBe(one);
    expect(addRateSample(one, { tMs: 6, total: Number.NaN, workers: {} })).toBe(one);
  });

  it('scales the lines into the box with a round axis top and draws a worker only while present', () => {
    let history = EMPTY_RATE_HISTORY;
    history = addRateSample(history, { tMs: 0, total: 40, workers: { 'a:1': 40 } });
    history = addRateSample(history, { tMs: 10, total: 70, workers: { 'a:1': 40, 'b:2': 30 } });
    history = addRateSample(history, { tMs: 20, total: 90, workers: { 'a:1': 45, 'b:2': 45 } });
    const model = rateChartModel(history, 100, 50, (id) => id.split(':')[0]!);
    expect(model.maxRate).toBe(100);
    expect(model.spanMs).toBe(20);
    expect(model.lines.map((line) => [line.id, line.label, line.latest])).toEqual([
      ['total', 'All machines', 90],
      ['a:1', 'a', 45],
      ['b:2', 'b', 45],
    ]);
    expect(model.lines[0]!.path).toBe('M 0 30 L 50 15 L 100 5');
    // b joined at t = 10: its line starts there.
    expect(model.lines[2]!.path).toBe('M 50 35 L 100 27.5');
    expect(rateChartText(model, history)).toBe(
      'Over 0 s: now 90/s, peak 90/s. Per machine now: a 45/s, b 45/s.',
    );
  });

  it('says so when nothing was measured, and names one machine’s line plainly', () => {
    expect(rateChartText(rateChartModel(EMPTY_RATE_HISTORY, 10, 10), EMPTY_RATE_HISTORY)).toBe(
      'No rate measured yet.',
    );
    const single = addRateSample(EMPTY_RATE_HISTORY, { tMs: 1, total: 3, workers: {} });
    expect(rateChartModel(single, 10, 10).lines.map((line) => line.label)).toEqual(['Records/s']);
  });

  it('rounds the axis to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 3, 7, 12, 250, 999].map(niceCeiling)).toEqual([
      1, 0.5, 1, 5, 10, 20, 500, 1000,
    ]);
  });
});

describe('distributed progress view', () => {
  const now = 1_000_000;

  it('flags a worker not seen for longer than the lock time as lost, and a refusal in words', () => {
    const views = workerViews(
      [
        workerRow('a:1'),
        workerRow('b:2', { lastSeenMs: now - WORKER_LOST_AFTER_MS - 1 }),
        workerRow('c:3', { lastSeenMs: now - WORKER_LOST_AFTER_MS }),
        workerRow('d:4', { state: 'refused', rate: 0 }),
        workerRow('e:5', { state: 'left' }),
        workerRow('f:6', { backend: 'wasm' }),
      ],
      now,
    );
    expect(views.map((view) => [view.id, view.stateText, view.rate])).toEqual([
      ['a:1', 'working', 50],
      ['b:2', 'lost', 0],
      ['c:3', 'working', 50],
      ['d:4', 'refused: wrong password', 0],
      ['e:5', 'left', 0],
      ['f:6', 'working', 50],
    ]);
    expect(views.map((view) => view.wasm)).toEqual([false, false, false, false, false, true]);
    expect(totalRate(views)).toBe(150);
  });

  it('tallies shards done, active and pending, and the time left at the total rate', () => {
    const p = progress({ shards: 10, shardsDone: 3 });
    const views = workerViews(
      [workerRow('a:1'), workerRow('b:2'), workerRow('c:3', { lastSeenMs: 0 })],
      now,
    );
    expect(shardTally(p, views)).toEqual({ done: 3, active: 2, pending: 5 });
    expect(etaMs(p, 100)).toBe(80_000);
    expect(etaMs(p, 0)).toBeNull();
    // Active never exceeds the shards not done.
    expect(shardTally(progress({ shards: 4, shardsDone: 3 }), views)).toEqual({
      done: 3,
      active: 1,
      pending: 0,
    });
  });

  it('samples the chart: lost workers drop to 0, workers that left are not drawn', () => {
    const views = workerViews(
      [workerRow('a:1'), workerRow('b:2', { lastSeenMs: 0 }), workerRow('c:3', { state: 'left' })],
      now,
    );
    expect(rateSampleOf(views, now, now - 5000)).toEqual({
      tMs: 5000,
      total: 50,
      workers: { 'a:1': 50, 'b:2': 0 },
    });
  });
});

describe('queue form', () => {
  const problemsOf = (url: string, caFile = '') =>
    queueFormProblems({ ...INITIAL_QUEUE_FORM, use: true, url, caFile });

  it('accepts redis:// and rediss:// with a host, a port and a database number', () => {
    expect(problemsOf('redis://queue.internal:6379/0')).toEqual({});
    expect(problemsOf('rediss://queue.internal', '/etc/ca.pem')).toEqual({});
    expect(problemsOf('  redis://[::1]:6380  ')).toEqual({});
  });

  it('refuses a password in the URL, saying where it goes instead', () => {
    expect(problemsOf('redis://:s3cret@queue:6379').url).toMatch(/Redis password field/);
    expect(problemsOf('redis://user:s3cret@queue:6379').url).toMatch(/Remove it from the URL/);
  });

  it('refuses other schemes, parameters, a path that is not a database, and a CA without TLS', () => {
    expect(problemsOf('').url).toMatch(/Enter/);
    expect(problemsOf('queue:6379').url).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(problemsOf('http://queue').url).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(problemsOf('redis://queue?tls=1').url).toMatch(/no parameters/);
    expect(problemsOf('redis://queue/jobs').url).toMatch(/database number/);
    expect(problemsOf('redis://queue', '/etc/ca.pem').caFile).toMatch(/rediss:\/\//);
  });

  it('refuses a password sent in clear to another machine, not to this one', () => {
    const withPassword = (url: string) =>
      queueFormProblems({ ...INITIAL_QUEUE_FORM, use: true, url, password: 'pw' });
    expect(withPassword('redis://queue.internal:6379').password).toMatch(/rediss:\/\//);
    expect(withPassword('redis://localhost:6379')).toEqual({});
    expect(withPassword('rediss://queue.internal:6379')).toEqual({});
  });
});
