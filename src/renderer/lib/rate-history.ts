/**
 * Records/s over time for the rate chart: a bounded history (a long rotation
 * keeps its whole span at a coarser grain, never an unbounded array) and the
 * chart's geometry and text alternative. Pure: the store feeds it samples.
 */
import { formatDuration, formatRate } from './format.js';

export interface RateSample {
  /** ms since the job started */
  readonly tMs: number;
  /** records/s of the whole rotation */
  readonly total: number;
  /** records/s of each worker present at that time, by worker id (empty on one machine) */
  readonly workers: Readonly<Record<string, number>>;
}

export interface RateHistory {
  readonly samples: readonly RateSample[];
}

export const EMPTY_RATE_HISTORY: RateHistory = { samples: [] };

/** More samples than this and neighbours are merged in pairs: the chart has ~300 px to draw on. */
export const MAX_RATE_SAMPLES = 120;

function mean(a: number, b: number): number {
  return (a + b) / 2;
}

/** Two neighbours as one: the later time, the mean rates (a worker missing from one counts its rate once). */
function mergePair(a: RateSample, b: RateSample): RateSample {
  const workers: Record<string, number> = {};
  for (const id of new Set([...Object.keys(a.workers), ...Object.keys(b.workers)])) {
    const first = a.workers[id];
    const second = b.workers[id];
    workers[id] =
      first !== undefined && second !== undefined ? mean(first, second) : (first ?? second)!;
  }
  return { tMs: b.tMs, total: mean(a.total, b.total), workers };
}

/** Halves the history, keeping the first sample as it is (the chart's start). */
function halve(samples: readonly RateSample[]): RateSample[] {
  const [first, ...rest] = samples;
  const merged: RateSample[] = first ? [first] : [];
  for (let index = 0; index < rest.length; index += 2) {
    const a = rest[index]!;
    const b = rest[index + 1];
    merged.push(b ? mergePair(a, b) : a);
  }
  return merged;
}

/** The history with `sample` appended; a sample not later than the last is dropped (out of order). */
export function addRateSample(history: RateHistory, sample: RateSample): RateHistory {
  const last = history.samples.at(-1);
  if (last && sample.tMs <= last.tMs) return history;
  if (!Number.isFinite(sample.total) || sample.total < 0) return history;
  const samples = [...history.samples, sample];
  return { samples: samples.length > MAX_RATE_SAMPLES ? halve(samples) : samples };
}

export interface ChartLine {
  /** 'total' or a worker id */
  readonly id: string;
  readonly label: string;
  /** an SVG path ("M x y L x y ...") in the chart's box */
  readonly path: string;
  /** the latest rate on the line */
  readonly latest: number;
}

export interface RateChartModel {
  readonly width: number;
  readonly height: number;
  /** the y axis' top, a round number of records/s */
  readonly maxRate: number;
  readonly spanMs: number;
  readonly lines: readonly ChartLine[];
}

/** 1, 2 or 5 times a power of ten, at least `value`: a readable axis top. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * The lines to draw: the total, then one per worker (labelled by `labelOf`,
 * e.g. its host), scaled into width x height with y growing downwards.
 */
export function rateChartModel(
  history: RateHistory,
  width: number,
  height: number,
  labelOf: (worker: string) => string = (worker) => worker,
): RateChartModel {
  const { samples } = history;
  const start = samples[0]?.tMs ?? 0;
  const spanMs = Math.max(1, (samples.at(-1)?.tMs ?? 0) - start);
  const peak = Math.max(
    0,
    ...samples.map((sample) => Math.max(sample.total, ...Object.values(sample.workers))),
  );
  const maxRate = niceCeiling(peak);
  const x = (tMs: number): number => round1(((tMs - start) / spanMs) * width);
  const y = (rate: number): number => round1(height - (rate / maxRate) * height);
  const lineOf = (id: string, label: string, rateAt: (s: RateSample) => number | undefined) => {
    const points = samples.flatMap((sample) => {
      const rate = rateAt(sample);
      return rate === undefined ? [] : [{ tMs: sample.tMs, rate }];
    });
    const path = points
      .map((point, index) => `${index === 0 ? 'M' : 'L'} ${x(point.tMs)} ${y(point.rate)}`)
      .join(' ');
    return { id, label, path, latest: points.at(-1)?.rate ?? 0 };
  };
  const workerIds = [...new Set(samples.flatMap((sample) => Object.keys(sample.workers)))];
  return {
    width,
    height,
    maxRate,
    spanMs: samples.length > 1 ? spanMs : 0,
    lines: [
      lineOf('total', workerIds.length > 0 ? 'All machines' : 'Records/s', (s) => s.total),
      ...workerIds.map((id) => lineOf(id, labelOf(id), (s) => s.workers[id])),
    ],
  };
}

/** The chart in words, for screen readers and as the figure's caption. */
export function rateChartText(model: RateChartModel, history: RateHistory): string {
  const { samples } = history;
  if (samples.length === 0) return 'No rate measured yet.';
  const peak = Math.max(...samples.map((sample) => sample.total));
  const [total, ...workers] = model.lines;
  const parts = [
    `Over ${formatDuration(model.spanMs)}: now ${formatRate(total!.latest)}, peak ${formatRate(peak)}.`,
  ];
  if (workers.length > 0) {
    parts.push(
      `Per machine now: ${workers.map((line) => `${line.label} ${formatRate(line.latest)}`).join(', ')}.`,
    );
  }
  return parts.join(' ');
}
