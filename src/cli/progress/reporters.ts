/**
 * Progress output for the three modes: a redrawn bar on a terminal, periodic
 * lines in a log, JSON lines for programs. The engine already throttles its
 * events (~10/s); the renderers throttle again so they stay cheap whatever
 * they are fed. None keeps a timer, so there is nothing to dispose.
 */
import { markTiming, type RotationProgress } from '../../engine/index.js';
import { writeJsonLine, type TextOutput } from '../io.js';
import { roundedRates } from '../json-output.js';
import {
  progressBarLine,
  progressLogLine,
  ROTATE_WORDS,
  type ProgressWords,
} from './progress-line.js';

export interface ProgressReporter {
  update(progress: RotationProgress): void;
  /** the job settled: clear the bar (the summary follows) */
  finish(): void;
}

export type Clock = () => number;

const BAR_REDRAW_MS = 100;
const DEFAULT_COLUMNS = 80;

export class TerminalProgressBar implements ProgressReporter {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastPhase: string | null = null;
  private drawn = false;

  constructor(
    private readonly output: TextOutput,
    private readonly words: ProgressWords = ROTATE_WORDS,
    private readonly clock: Clock = () => performance.now(),
  ) {}

  update(progress: RotationProgress): void {
    const now = this.clock();
    const phaseChanged = progress.phase !== this.lastPhase;
    if (!phaseChanged && now - this.lastDraw < BAR_REDRAW_MS) return;
    this.lastDraw = now;
    this.lastPhase = progress.phase;
    const width = this.output.columns || DEFAULT_COLUMNS;
    this.output.write(`\r\x1b[2K${progressBarLine(progress, width, this.words)}`);
    this.drawn = true;
  }

  finish(): void {
    if (this.drawn) this.output.write('\r\x1b[2K');
    this.drawn = false;
  }
}

export const PLAIN_LINE_INTERVAL_MS = 2000;

/** For logs and pipes: a line when the phase changes and every couple of seconds. */
export class PlainProgressLines implements ProgressReporter {
  private lastLine = Number.NEGATIVE_INFINITY;
  private lastPhase: string | null = null;

  constructor(
    private readonly output: TextOutput,
    private readonly words: ProgressWords = ROTATE_WORDS,
    private readonly clock: Clock = () => performance.now(),
    private readonly intervalMs = PLAIN_LINE_INTERVAL_MS,
  ) {}

  update(progress: RotationProgress): void {
    const now = this.clock();
    if (progress.phase === this.lastPhase && now - this.lastLine < this.intervalMs) return;
    this.lastLine = now;
    this.lastPhase = progress.phase;
    this.output.write(`${progressLogLine(progress, this.words)}\n`);
  }

  finish(): void {}
}

/** Every event, one JSON object per line: {"type":"progress", ...the event}, rates rounded. */
export class JsonProgressLines implements ProgressReporter {
  constructor(private readonly output: TextOutput) {}

  update(progress: RotationProgress | object): void {
    writeJsonLine(this.output, { type: 'progress', ...roundedRates(progress) });
  }

  finish(): void {}
}

/** A timing mark at each phase change (printed only with VAULTSTORE_ADMIN_TIMINGS=1: src/cli/timings.ts). */
export function withPhaseMarks(reporter: ProgressReporter): ProgressReporter {
  let lastPhase: string | null = null;
  return {
    update(progress) {
      if (progress.phase !== lastPhase) {
        lastPhase = progress.phase;
        markTiming(`phase:${progress.phase}`);
      }
      reporter.update(progress);
    },
    finish: () => reporter.finish(),
  };
}

/** The reporter for the output: JSON with --json, a bar on a terminal, lines otherwise. */
export function chooseProgressReporter(
  options: { json: boolean; stdout: TextOutput; stderr: TextOutput },
  words: ProgressWords,
  clock?: Clock,
): ProgressReporter {
  if (options.json) return new JsonProgressLines(options.stdout);
  if (options.stderr.isTTY) return new TerminalProgressBar(options.stderr, words, clock);
  return new PlainProgressLines(options.stderr, words, clock);
}

export function createProgressReporter(
  options: { json: boolean; stdout: TextOutput; stderr: TextOutput },
  words: ProgressWords = ROTATE_WORDS,
  clock?: Clock,
): ProgressReporter {
  return withPhaseMarks(chooseProgressReporter(options, words, clock));
}
