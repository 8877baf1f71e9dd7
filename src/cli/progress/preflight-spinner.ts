/**
 * A turning mark while the pre-flight works (on a terminal only): at the
 * default preset it tests its sample for many seconds, and a silent
 * terminal looks hung. The first frame is drawn at once; stop() clears the
 * line and the timer.
 */
import type { PreflightProgress } from '../../engine/index.js';
import { formatCount } from '../format.js';
import type { TextOutput } from '../io.js';

const FRAMES = ['|', '/', '-', '\\'];
export const SPINNER_INTERVAL_MS = 120;
const DEFAULT_COLUMNS = 80;

/** Starts a repeating tick; returns what stops it. */
export type Ticker = (tick: () => void, intervalMs: number) => () => void;

const realTicker: Ticker = (tick, intervalMs) => {
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};

export function preflightStatus(progress: PreflightProgress | null): string {
  switch (progress?.phase) {
    case undefined:
    case 'starting':
      return 'Pre-flight: reading the vault';
    case 'checking':
      return (
        `Pre-flight: testing the old password on a sample ` +
        `(${formatCount(progress.sampled)} of ${formatCount(progress.toSample)} records, ${formatCount(progress.opened)} opened)`
      );
    case 'testing-new-password':
      return (
        'Pre-flight: nothing opened; testing the new password (already rotated?) ' +
        `(${formatCount(progress.stepDone)} of ${formatCount(progress.stepTotal)})`
      );
    case 'detecting-preset':
      return (
        "Pre-flight: nothing opened; trying the library's Argon2id presets " +
        `(${formatCount(progress.stepDone)} of ${formatCount(progress.stepTotal)})`
      );
    case 'timing':
      return 'Pre-flight: timing a write to estimate the duration';
    case 'done':
    case 'cancelled':
    case 'failed':
      return 'Pre-flight: finishing';
  }
}

export class PreflightSpinner {
  private frame = 0;
  private latest: PreflightProgress | null = null;
  private stopTicker: (() => void) | null;

  /**
   * @param signal a cancel: the spinner stops at once, before "Cancelling…" is
   *   printed, so its next frame cannot erase that line
   */
  constructor(
    private readonly output: TextOutput,
    private readonly signal?: AbortSignal,
    ticker: Ticker = realTicker,
  ) {
    this.draw();
    this.stopTicker = ticker(() => {
      // A tick already queued when stop() ran draws nothing.
      if (this.stopTicker === null) return;
      this.frame = (this.frame + 1) % FRAMES.length;
      this.draw();
    }, SPINNER_INTERVAL_MS);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = (): void => this.stop();

  update(progress: PreflightProgress): void {
    if (this.stopTicker === null) return;
    const phaseChanged = progress.phase !== this.latest?.phase;
    this.latest = progress;
    if (phaseChanged) this.draw();
  }

  stop(): void {
    if (this.stopTicker === null) return;
    this.stopTicker();
    this.stopTicker = null;
    this.signal?.removeEventListener('abort', this.onAbort);
    this.output.write('\r\x1b[2K');
  }

  private draw(): void {
    const width = Math.max(10, (this.output.columns || DEFAULT_COLUMNS) - 1);
    const text = Array.from(`${FRAMES[this.frame]} ${preflightStatus(this.latest)}`);
    const line = text.length <= width ? text.join('') : `${text.slice(0, width - 1).join('')}…`;
    this.output.write(`\r\x1b[2K${line}`);
  }
}
