/**
 * The progress of a distributed rotation as `rotate --queue` shows it: one
 * bar, rate and ETA for the whole rotation (the ledger's counts, summed over
 * every shard and worker), and a workers line whenever the workers change.
 * The engine reports ~1/s from the ledger; the rate is measured here over a
 * sliding window of those reports, since workers come and go.
 */
import type { DistributedProgress, WorkerSummary } from '../../core/distributed.js';
import type { RotationPhase, RotationProgress } from '../../engine/index.js';
import { formatCount } from '../format.js';
import { writeJsonLine, writeLine, type TextOutput } from '../io.js';
import { roundedRates } from '../json-output.js';
import { printable } from '../terminal-text.js';
import { ROTATE_WORDS, type ProgressWords } from './progress-line.js';
import { createProgressReporter, type Clock, type ProgressReporter } from './reporters.js';

/** What the reporter reads of the engine's DistributedProgress (the status command has no rate). */
export type RotationWorker = WorkerSummary;

export type WholeRotationProgress = Omit<
  DistributedProgress,
  'rotation' | 'workers' | 'failing'
> & {
  readonly workers: readonly RotationWorker[];
  readonly failing?: DistributedProgress['failing'] | undefined;
};

export const DISTRIBUTED_WORDS: ProgressWords = {
  ...ROTATE_WORDS,
  phases: {
    ...ROTATE_WORDS.phases,
    validating: 'Planning',
    rotating: 'Rotating',
    finishing: 'Sweeping',
  },
};

const PHASES: Readonly<Record<WholeRotationProgress['phase'], RotationPhase>> = {
  planning: 'validating',
  pass: 'rotating',
  sweep: 'finishing',
  finishing: 'finishing',
};

/** Reports older than this leave the rate window: it follows workers joining and leaving. */
export const RATE_WINDOW_MS = 30_000;

/** Records per second over the last RATE_WINDOW_MS of reports, from a clock of its own. */
export class WindowRate {
  private readonly samples: { at: number; scanned: number }[] = [];
  private readonly started: number;

  constructor(private readonly clock: Clock) {
    this.started = clock();
  }

  /** adds a report; returns the rate and the time since the first report */
  add(scanned: number): { ratePerSecond: number; elapsedMs: number } {
    const now = this.clock();
    this.samples.push({ at: now, scanned });
    while (this.samples.length > 2 && now - this.samples[0]!.at > RATE_WINDOW_MS) {
      this.samples.shift();
    }
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    const ratePerSecond = seconds > 0 ? Math.max(0, scanned - first.scanned) / seconds : 0;
    return { ratePerSecond, elapsedMs: now - this.started };
  }
}

/** The whole rotation as the single-machine bar draws it. */
export function asRotationProgress(
  progress: WholeRotationProgress,
  rate: { ratePerSecond: number; elapsedMs: number },
): RotationProgress {
  const remaining = Math.max(0, progress.total - progress.scanned);
  return {
    phase: PHASES[progress.phase],
    total: progress.total,
    scanned: progress.scanned,
    rotated: progress.rotated,
    skipped: progress.skipped,
    failed: progress.failed,
    bytes: 0,
    ratePerSecond: rate.ratePerSecond,
    elapsedMs: rate.elapsedMs,
    etaMs:
      progress.phase === 'pass' && rate.ratePerSecond > 0
        ? (remaining / rate.ratePerSecond) * 1000
        : null,
  };
}

/** "workers: 3 (pool 10) · db-1 x4 native 1,200 · db-2 x4 wasm 900 · shards 12/40" */
export function workersLine(progress: WholeRotationProgress): string {
  const active = progress.workers.filter((worker) => worker.state !== 'left');
  const pool = active.reduce((sum, worker) => sum + worker.pool, 0);
  const each = progress.workers.map(
    (worker) =>
      `${printable(worker.host)} x${worker.pool} ${printable(worker.backend)}` +
      `${worker.state === 'active' || worker.state === 'running' ? '' : ` ${printable(worker.state)}`}` +
      ` ${formatCount(worker.records)}`,
  );
  return [
    `workers: ${active.length} (pool ${pool})`,
    ...each,
    `shards ${formatCount(progress.shardsDone)}/${formatCount(progress.shards)}` +
      (progress.failing?.length ? ` (${progress.failing.length} failing)` : ''),
  ].join(' · ');
}

/** What changes the workers line: who is there and in which state (not their counts). */
function workersKey(progress: WholeRotationProgress): string {
  return JSON.stringify([
    progress.workers.map((worker) => [worker.worker, worker.pool, worker.backend, worker.state]),
    progress.failing?.length ?? 0,
  ]);
}

export interface DistributedReporter {
  update(progress: WholeRotationProgress): void;
  finish(): void;
}

/**
 * The bar (or log lines) for the whole rotation, plus the workers line when
 * the workers change; --json: one progress line per report with the shards and
 * workers, and a rate measured here.
 */
export function createDistributedReporter(
  options: { json: boolean; stdout: TextOutput; stderr: TextOutput },
  clock: Clock = () => performance.now(),
): DistributedReporter {
  const bar: ProgressReporter = options.json
    ? { update: () => undefined, finish: () => undefined }
    : createProgressReporter(options, DISTRIBUTED_WORDS, clock);
  const rate = new WindowRate(clock);
  let shownWorkers: string | null = null;
  return {
    update(progress) {
      const measured = rate.add(progress.scanned);
      const whole = asRotationProgress(progress, measured);
      if (options.json) {
        writeJsonLine(options.stdout, {
          type: 'progress',
          ...roundedRates(whole),
          distributedPhase: progress.phase,
          round: progress.round,
          shards: progress.shards,
          shardsDone: progress.shardsDone,
          workers: progress.workers,
          failing: progress.failing ?? [],
        });
        return;
      }
      const key = workersKey(progress);
      if (key !== shownWorkers) {
        shownWorkers = key;
        bar.finish();
        writeLine(options.stderr, workersLine(progress));
      }
      bar.update(whole);
    },
    finish: () => bar.finish(),
  };
}

/** The summary's line about the workers: "Workers: 3 on 2 machines, 40 shards (db-1 x4 1,200, ...)." */
export function workersSummary(workers: readonly RotationWorker[], shards: number): string {
  const hosts = new Set(workers.map((worker) => worker.host));
  const each = workers
    .map((worker) => `${printable(worker.host)} x${worker.pool} ${formatCount(worker.records)}`)
    .join(', ');
  return (
    `Workers: ${workers.length} on ${hosts.size} machine${hosts.size === 1 ? '' : 's'}, ` +
    `${formatCount(shards)} shards${each === '' ? '' : ` (${each})`}.`
  );
}
