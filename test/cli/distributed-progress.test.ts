/**
 * rotate --queue's progress: one bar, rate and ETA for the whole rotation,
 * the rate measured over a sliding window of the engine's reports (workers
 * come and go), a workers line when the workers change, JSON lines with the
 * shards and workers. Driven by a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import {
  asRotationProgress,
  createDistributedReporter,
  RATE_WINDOW_MS,
  WindowRate,
  workersLine,
  workersSummary,
  type RotationWorker,
  type WholeRotationProgress,
} from '../../src/cli/progress/distributed-progress.js';

class Screen {
  written: string[] = [];
  constructor(readonly isTTY: boolean) {}
  readonly columns = 200;
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  get text(): string {
    return this.written.join('');
  }
}

function worker(host: string, overrides: Partial<RotationWorker> = {}): RotationWorker {
  return {
    worker: `${host}-1`,
    host,
    pool: 4,
    backend: 'native',
    state: 'active',
    records: 0,
    ...overrides,
  };
}

function report(overrides: Partial<WholeRotationProgress> = {}): WholeRotationProgress {
  return {
    phase: 'pass',
    round: 0,
    total: 10_000,
    scanned: 0,
    rotated: 0,
    skipped: 0,
    failed: 0,
    shards: 40,
    shardsDone: 0,
    workers: [worker('db-1')],
    ...overrides,
  };
}

function movableClock(): { now: () => number; advance: (ms: number) => void } {
  let now = 0;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describe('the rate of the whole rotation', () => {
  it('is measured over the last window of reports, so it follows the workers', () => {
    const clock = movableClock();
    const rate = new WindowRate(clock.now);
    expect(rate.add(0).ratePerSecond).toBe(0);
    clock.advance(10_000);
    expect(rate.add(100).ratePerSecond).toBeCloseTo(10);
    clock.advance(10_000);
    expect(rate.add(300).ratePerSecond).toBeCloseTo(15);
    // Four times the workers from now on: the window forgets the slow start.
    for (let i = 0; i < 4; i++) {
      clock.advance(10_000);
      rate.add(300 + (i + 1) * 800);
    }
    clock.advance(10_000);
    const { ratePerSecond, elapsedMs } = rate.add(300 + 5 * 800);
    expect(ratePerSecond).toBeCloseTo(80);
    expect(elapsedMs).toBe(70_000);
    expect(RATE_WINDOW_MS).toBeLessThan(70_000);
  });

  it('gives an ETA only during the main pass, from the records left', () => {
    const rate = { ratePerSecond: 50, elapsedMs: 1000 };
    expect(asRotationProgress(report({ scanned: 9000 }), rate)).toMatchObject({
      phase: 'rotating',
      etaMs: 20_000,
      total: 10_000,
    });
    expect(asRotationProgress(report({ phase: 'sweep', scanned: 9000 }), rate)).toMatchObject({
      phase: 'finishing',
      etaMs: null,
    });
    expect(asRotationProgress(report(), { ratePerSecond: 0, elapsedMs: 0 }).etaMs).toBeNull();
  });
});

describe('the reporter', () => {
  it('on a terminal: a workers line when the workers change (not their counts), then the bar', () => {
    const clock = movableClock();
    const stderr = new Screen(true);
    const stdout = new Screen(false);
    const reporter = createDistributedReporter({ json: false, stdout, stderr }, clock.now);
    reporter.update(report());
    clock.advance(1000);
    reporter.update(report({ scanned: 50, workers: [worker('db-1', { records: 50 })] }));
    clock.advance(1000);
    reporter.update(
      report({
        scanned: 120,
        workers: [
          worker('db-1', { records: 100 }),
          worker('db-2', { backend: 'wasm', pool: 2, records: 20 }),
        ],
      }),
    );
    reporter.finish();
    const lines = stderr.text.split('\n');
    const workerLines = lines.filter((line) => line.includes('workers: '));
    expect(workerLines).toHaveLength(2);
    expect(workerLines[1]).toContain(
      'workers: 2 (pool 6) · db-1 x4 native 100 · db-2 x2 wasm 20 · shards 0/40',
    );
    expect(stderr.text).toMatch(/Rotating \[[#-]+\] +1% 120\/10,000/);
    expect(stderr.text).toContain('ETA');
    expect(stdout.text).toBe('');
  });

  it('--json: a progress line per report with shards and workers; nothing on stderr', () => {
    const clock = movableClock();
    const stderr = new Screen(false);
    const stdout = new Screen(false);
    const reporter = createDistributedReporter({ json: true, stdout, stderr }, clock.now);
    reporter.update(report());
    clock.advance(2000);
    reporter.update(
      report({ scanned: 30, shardsDone: 1, failing: [{ shard: 2, code: 'CONNECTION_LOST' }] }),
    );
    const lines = stdout.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      type: 'progress',
      phase: 'rotating',
      distributedPhase: 'pass',
      scanned: 30,
      total: 10_000,
      ratePerSecond: 15,
      shards: 40,
      shardsDone: 1,
      workers: [{ host: 'db-1', pool: 4 }],
      failing: [{ shard: 2, code: 'CONNECTION_LOST' }],
    });
    expect(stderr.text).toBe('');
  });

  it('prints hostile host names escaped (they come from the ledger)', () => {
    const line = workersLine(report({ workers: [worker('evil\x1b[2Jhost\u202e')] }));
    expect(line).not.toContain('\x1b');
    expect(line).not.toContain('\u202e');
    expect(workersSummary([worker('a'), worker('b'), worker('a', { worker: 'a-2' })], 40)).toBe(
      'Workers: 3 on 2 machines, 40 shards (a x4 0, b x4 0, a x4 0).',
    );
  });
});
