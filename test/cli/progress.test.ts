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
import { progressBarLine, progressLogLine } from '../../src/cli/progress/progress-line.js';
import {
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
      { type: 'progress', ...progress() },
      { type: 'progress', ...progress({ phase: 'done' }) },
    ]);
  });

  it('picks JSON with --json, a bar on a terminal, lines otherwise', () => {
    const tty = new Screen(true);
    const pipe = new Screen(false);
    expect(createProgressReporter({ json: true, stdout: pipe, stderr: tty })).toBeInstanceOf(
      JsonProgressLines,
    );
    expect(createProgressReporter({ json: false, stdout: pipe, stderr: tty })).toBeInstanceOf(
      TerminalProgressBar,
    );
    expect(createProgressReporter({ json: false, stdout: tty, stderr: pipe })).toBeInstanceOf(
      PlainProgressLines,
    );
  });
});
