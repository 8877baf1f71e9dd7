/**
 * Turns the job's counters into RotationProgress events a UI can render:
 * at most one per `intervalMs` while rotating; phase changes and the final
 * event always go out. No timer: events ride on the job's own activity.
 */
import { NO_COUNTS } from './record-counts.js';
import type { RecordCounts, RotationPhase, RotationProgress } from '../types.js';

/** The records of this run (`total`: in scope after the cursor) and what was done to them so far. */
export interface ProgressCounts extends Omit<RecordCounts, 'opened'> {
  readonly total: number;
}

export const DEFAULT_PROGRESS_INTERVAL_MS = 100;

export class ProgressReporter {
  private readonly listener: ((progress: RotationProgress) => void) | undefined;
  private readonly intervalMs: number;
  private readonly startedAt = performance.now();
  private scanStartedAt: number | null = null;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private phase: RotationPhase = 'validating';
  private last: RotationProgress | null = null;

  constructor(
    listener: ((progress: RotationProgress) => void) | undefined,
    intervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
  ) {
    this.listener = listener;
    this.intervalMs = Math.max(0, intervalMs);
  }

  /** the last event sent (tests, final summaries) */
  get lastEvent(): RotationProgress | null {
    return this.last;
  }

  /** Sends at once (phase changes). */
  setPhase(phase: RotationPhase, counts: ProgressCounts): void {
    this.phase = phase;
    if (phase === 'rotating' && this.scanStartedAt === null) this.scanStartedAt = performance.now();
    this.send(counts);
  }

  /** Sends if the interval has passed since the last event. */
  update(counts: ProgressCounts): void {
    if (performance.now() - this.lastSentAt >= this.intervalMs) this.send(counts);
  }

  private send(counts: ProgressCounts): void {
    const now = performance.now();
    this.lastSentAt = now;
    const scanSeconds = this.scanStartedAt === null ? 0 : (now - this.scanStartedAt) / 1000;
    const ratePerSecond = scanSeconds > 0 ? counts.scanned / scanSeconds : 0;
    const remaining = Math.max(0, counts.total - counts.scanned);
    const etaMs =
      this.phase === 'done'
        ? 0
        : ratePerSecond > 0
          ? Math.round((remaining / ratePerSecond) * 1000)
          : null;
    this.last = {
      phase: this.phase,
      total: counts.total,
      scanned: counts.scanned,
      rotated: counts.rotated,
      skipped: counts.skipped,
      failed: counts.failed,
      bytes: counts.bytes,
      ratePerSecond,
      elapsedMs: Math.round(now - this.startedAt),
      etaMs,
    };
    this.listener?.(this.last);
  }
}

/**
 * A rotation's progress: its phases, with the records in scope once counted
 * and the counts of the pass under way once it runs (zero before).
 */
export class RunProgress {
  /** records in scope after the cursor (0 until counted) */
  total = 0;
  private counts: () => RecordCounts = () => NO_COUNTS;

  constructor(private readonly reporter: ProgressReporter) {}

  /** From now on events carry these counts (the main pass's). */
  follow(counts: () => RecordCounts): void {
    this.counts = counts;
  }

  /** Sends at once. */
  phase(phase: RotationPhase): void {
    this.reporter.setPhase(phase, this.snapshot());
  }

  /** Sends if the interval has passed since the last event. */
  update(): void {
    this.reporter.update(this.snapshot());
  }

  private snapshot(): ProgressCounts {
    return { total: this.total, ...this.counts() };
  }
}
