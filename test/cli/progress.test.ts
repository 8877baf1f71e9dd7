/** Progress rendering: the TTY bar, plain log lines, JSON lines, and their throttling. */
import { describe, expect, it } from 'vitest';
import type { RotationProgress } from '../../src/engine/rotation/types.js';
import {
  formatCount,
  formatDuration,
  formatRate,
  formatTable,
  percentOf,
} from '../../src/cli/format.js';
import { earlierRuns, withEarlierRuns } from '../../src/cli/progress/earlier-runs.js';
import {
  preflightStatus,
  PreflightSpinner,
  type Ticker,
} from '../../src/cli/progress/preflight-spinner.js';
import {
  DRY_RUN_WORDS,
  progressBarLine,
  progressLogLine,
  ROTATE_WORDS,
  VERIFY_WORDS,
} from '../../src/cli/progress/progress-line.js';
import { onTimingMarks } from '../../src/engine/timing-marks.js';
import type { RotationCheckpoint } from '../../src/engine/rotation/state/checkpoint.js';
import {
  chooseProgressReporter,
  createProgressReporter,
  JsonProgressLines,
  PlainProgressLines,
  TerminalProgressBar,
} from '../../src/cli/progress/reporters.js';

function progress(overrides: Partial<RotationProgress> = {}): RotationProgress {
  return {
    phase: 'rotating',
    total: 2000,
    scanned: 840,
    rotated: 600,
    skipped: 230,
    failed: 10,
    bytes: 1234,
    ratePerSecond: 1234.5,
    elapsedMs: 680,
    etaMs: 5000,
    ...overrides,
  };
}

class Screen {
  written: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  get text(): string {
    return this.written.join('');
  }
}

class ManualClock {
  now = 0;
  read = (): number => this.now;
}

describe('format', () => {
  it('formats durations, rates, counts and percentages', () => {
    expect(formatDuration(420)).toBe('0.4s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(7_380_000)).toBe('2h03m');
    expect(formatRate(12.345)).toBe('12.3/s');
    expect(formatRate(1234.5)).toBe('1,235/s');
    expect(formatRate(Number.NaN)).toBe('0/s');
    expect(formatCount(200000)).toBe('200,000');
    expect(percentOf(5, 0)).toBe(100);
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(3, 4)).toBe(75);
  });

  it('aligns tables: first column left, the others right', () => {
    expect(
      formatTable([
        ['table', 'records'],
        ['vault', '7'],
      ]),
    ).toEqual(['table  records', 'vault        7']);
  });
});

describe('progress lines', () => {
  it('shows percent, scanned/total, rotated, skipped, failed, rate and ETA', () => {
    const line = progressBarLine(progress(), 200);
    expect(line).toMatch(/^Rotating \[#+-+\] {2}42% /);
    for (const part of [
      '840/2,000',
      'rotated 600',
      'skipped 230',
      'failed 10',
      '1,235/s',
      'ETA 5.0s',
    ]) {
      expect(line).toContain(part);
    }
    expect(progressLogLine(progress({ etaMs: null }))).toBe(
      'progress: rotating 42% 840/2,000 · rotated 600 · skipped 230 · failed 10 · 1,235/s · ETA --',
    );
  });

  it('never exceeds the terminal width, so the redraw stays on one line', () => {
    for (const width of [20, 40, 79, 120]) {
      expect(Array.from(progressBarLine(progress(), width)).length).toBeLessThan(width);
    }
  });

  it('on a narrow terminal drops zero counters first, then the rate, then the ETA', () => {
    const some = progress({ skipped: 0, failed: 0 });
    /** The widest terminal on which `part` is no longer shown. */
    const goneBelow = (part: string): number => {
      for (let width = 200; width >= 10; width--) {
        if (!progressBarLine(some, width).includes(part)) return width;
      }
      return 0;
    };
    expect(progressBarLine(some, 200)).toContain('skipped 0');
    const zeros = goneBelow('skipped 0');
    expect(goneBelow('failed 0')).toBe(zeros);
    const rate = goneBelow('1,235/s');
    const eta = goneBelow('ETA 5.0s');
    const rotated = goneBelow('rotated 600');
    expect(zeros).toBeGreaterThan(rate);
    expect(rate).toBeGreaterThan(eta);
    expect(eta).toBeGreaterThan(rotated);
    // Nothing is cut mid-word while whole parts can still go.
    expect(progressBarLine(some, zeros)).not.toContain('…');
    expect(progressBarLine(some, rate)).not.toContain('…');
  });

  it('a non-zero failed counter outlives the rate and the ETA', () => {
    const line = progressBarLine(progress(), 72);
    expect(line).toContain('failed 10');
    expect(line).not.toContain('ETA');
    expect(Array.from(line).length).toBeLessThan(72);
  });

  it('each command has its own words: a dry run tests, verify verifies', () => {
    expect(progressBarLine(progress(), 200, DRY_RUN_WORDS)).toMatch(
      /^Testing \(dry run\) \[[#-]+\] +42% 840\/2,000 · would rotate 600 ·/,
    );
    expect(progressLogLine(progress(), VERIFY_WORDS)).toBe(
      'progress: verifying 42% 840/2,000 · opened 600 · did not open 230 · malformed 10 · 1,235/s · ETA 5.0s',
    );
    expect(progressBarLine(progress({ phase: 'backing-up' }), 200)).toMatch(
      /^Backing up, testing \[/,
    );
    for (const words of [DRY_RUN_WORDS, VERIFY_WORDS]) {
      expect(progressBarLine(progress(), 200, words)).not.toMatch(/Rotating|rotated/);
    }
  });
});

describe('a resume counts the earlier runs in its progress, as its summary does', () => {
  const checkpoint = (extra: Partial<RotationCheckpoint> = {}): RotationCheckpoint =>
    ({
      counts: { scanned: 500, rotated: 400, skipped: 90, failed: 10, opened: 400, bytes: 7 },
      ...extra,
    }) as RotationCheckpoint;

  it('adds the checkpoint counts: the last event total equals the cumulative scanned', () => {
    const earlier = earlierRuns(checkpoint());
    const last = withEarlierRuns(progress({ total: 1500, scanned: 1500, phase: 'done' }), earlier);
    expect(last).toMatchObject({
      total: 2000,
      scanned: 2000,
      rotated: 1000,
      skipped: 320,
      failed: 20,
    });
  });

  it('adds nothing for a fresh run or a redo from the start', () => {
    expect(earlierRuns(null)).toBeNull();
    expect(earlierRuns(checkpoint({ redoFromStart: true }))).toBeNull();
    expect(withEarlierRuns(progress(), null)).toEqual(progress());
  });
});

describe('PreflightSpinner', () => {
  /** A ticker the test turns by hand. */
  function manualTicker(): { ticker: Ticker; tick: () => void; stopped: () => boolean } {
    let tick = (): void => {};
    let stopped = false;
    return {
      ticker: (fn) => {
        tick = fn;
        return () => (stopped = true);
      },
      tick: () => tick(),
      stopped: () => stopped,
    };
  }

  it('draws at once, turns on each tick, shows the sample count, and clears its line and timer', () => {
    const screen = new Screen(true, 100);
    const manual = manualTicker();
    const spinner = new PreflightSpinner(screen, undefined, manual.ticker);
    expect(screen.written).toEqual(['\r\x1b[2K| Pre-flight: reading the vault']);
    spinner.update({
      phase: 'checking',
      toSample: 16,
      sampled: 0,
      opened: 0,
      malformed: 0,
      stepDone: 0,
      stepTotal: 16,
      elapsedMs: 1,
    });
    spinner.update({
      phase: 'checking',
      toSample: 16,
      sampled: 3,
      opened: 2,
      malformed: 0,
      stepDone: 3,
      stepTotal: 16,
      elapsedMs: 2,
    });
    manual.tick();
    expect(screen.written.at(-1)).toBe(
      '\r\x1b[2K/ Pre-flight: testing the old password on a sample (3 of 16 records, 2 opened)',
    );
    spinner.stop();
    expect(manual.stopped()).toBe(true);
    expect(screen.written.at(-1)).toBe('\r\x1b[2K');
    const count = screen.written.length;
    spinner.stop();
    manual.tick();
    expect(screen.written).toHaveLength(count);
    expect(screen.text).not.toContain('\n');
  });

  it('stops as soon as the job is cancelled, before "Cancelling…" is printed', () => {
    const screen = new Screen(true, 100);
    const manual = manualTicker();
    const cancel = new AbortController();
    new PreflightSpinner(screen, cancel.signal, manual.ticker);
    cancel.abort();
    expect(manual.stopped()).toBe(true);
    expect(screen.written.at(-1)).toBe('\r\x1b[2K');
    screen.write('Cancelling…\n');
    manual.tick();
    expect(screen.written.at(-1)).toBe('Cancelling…\n');
  });

  it('fits a narrow terminal', () => {
    const screen = new Screen(true, 30);
    new PreflightSpinner(screen, undefined, manualTicker().ticker).update({
      phase: 'detecting-preset',
      toSample: 16,
      sampled: 16,
      opened: 0,
      malformed: 0,
      stepDone: 2,
      stepTotal: 12,
      elapsedMs: 1,
    });
    const last = screen.written.at(-1)!.replace('\r\x1b[2K', '');
    expect(Array.from(last).length).toBeLessThan(30);
    expect(preflightStatus(null)).toBe('Pre-flight: reading the vault');
  });
});

describe('TerminalProgressBar', () => {
  it('redraws in place at most every 100 ms, at once on a phase change, and clears at the end', () => {
    const screen = new Screen(true, 100);
    const clock = new ManualClock();
    const bar = new TerminalProgressBar(screen, undefined, clock.read);
    bar.update(progress({ scanned: 1 }));
    clock.now = 50;
    bar.update(progress({ scanned: 2 }));
    clock.now = 99;
    bar.update(progress({ phase: 'finishing', scanned: 3 }));
    clock.now = 150;
    bar.update(progress({ phase: 'finishing', scanned: 4 }));
    clock.now = 200;
    bar.update(progress({ phase: 'finishing', scanned: 5 }));
    expect(screen.written).toHaveLength(3);
    expect(screen.written.every((text) => text.startsWith('\r\x1b[2K'))).toBe(true);
    expect(screen.written.join('')).not.toContain('\n');
    expect(screen.written[2]).toContain('5/2,000');
    bar.finish();
    expect(screen.written.at(-1)).toBe('\r\x1b[2K');
    bar.finish();
    expect(screen.written).toHaveLength(4);
  });

  it('uses 80 columns when the terminal reports none', () => {
    const screen = new Screen(true, 0);
    new TerminalProgressBar(screen).update(progress());
    expect(Array.from(screen.text.replace('\r\x1b[2K', '')).length).toBeLessThan(80);
  });
});

describe('PlainProgressLines', () => {
  it('prints a line per phase change and then every interval', () => {
    const screen = new Screen(false);
    const clock = new ManualClock();
    const lines = new PlainProgressLines(screen, undefined, clock.read, 2000);
    for (let t = 0; t <= 5000; t += 100) {
      clock.now = t;
      lines.update(progress({ scanned: t }));
    }
    clock.now = 5050;
    lines.update(progress({ phase: 'done', scanned: 2000 }));
    const written = screen.text.trim().split('\n');
    expect(written.map((line) => line.split(' ')[2])).toEqual(['0%', '100%', '100%', '100%']);
    expect(written[1]).toContain('2,000/2,000');
    expect(written.at(-1)).toMatch(/^progress: done /);
  });
});

describe('JsonProgressLines and the reporter choice', () => {
  it('writes every event as one JSON line', () => {
    const screen = new Screen(false);
    const json = new JsonProgressLines(screen);
    json.update(progress());
    json.update(progress({ phase: 'done' }));
    const lines = screen.text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as object);
    expect(lines).toEqual([
      { type: 'progress', schemaVersion: 1, ...progress() },
      { type: 'progress', schemaVersion: 1, ...progress({ phase: 'done' }) },
    ]);
  });

  it('rounds the rate to a tenth', () => {
    const screen = new Screen(false);
    new JsonProgressLines(screen).update(progress({ ratePerSecond: 12.345678 }));
    expect(JSON.parse(screen.text)).toMatchObject({ ratePerSecond: 12.3 });
  });

  it('picks JSON with --json, a bar on a terminal, lines otherwise', () => {
    const tty = new Screen(true);
    const pipe = new Screen(false);
    expect(
      chooseProgressReporter({ json: true, stdout: pipe, stderr: tty }, ROTATE_WORDS),
    ).toBeInstanceOf(JsonProgressLines);
    expect(
      chooseProgressReporter({ json: false, stdout: pipe, stderr: tty }, ROTATE_WORDS),
    ).toBeInstanceOf(TerminalProgressBar);
    expect(
      chooseProgressReporter({ json: false, stdout: tty, stderr: pipe }, ROTATE_WORDS),
    ).toBeInstanceOf(PlainProgressLines);
  });

  it('marks each phase change once, for VAULTSTORE_ADMIN_TIMINGS, and still reports every event', () => {
    const pipe = new Screen(false);
    const labels: string[] = [];
    const stop = onTimingMarks((mark) => labels.push(mark.label));
    try {
      const reporter = createProgressReporter({ json: true, stdout: pipe, stderr: pipe });
      for (const phase of ['validating', 'rotating', 'rotating', 'finishing', 'done'] as const) {
        reporter.update(progress({ phase }));
      }
      reporter.finish();
    } finally {
      stop();
    }
    expect(labels).toEqual(['phase:validating', 'phase:rotating', 'phase:finishing', 'phase:done']);
    expect(pipe.text.trim().split('\n')).toHaveLength(5);
  });
});
