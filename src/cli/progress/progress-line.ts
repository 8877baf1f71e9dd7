/** One line that describes a progress event: the TTY bar and the plain log line. */
import type { RotationPhase, RotationProgress } from '../../engine/index.js';
import { formatCount, formatDuration, formatRate, percentOf } from '../format.js';

/** What each command calls its phases and counters: a dry run rotates nothing, verify tests. */
export interface ProgressWords {
  readonly phases: Readonly<Record<RotationPhase, string>>;
  /** the `rotated` counter */
  readonly done: string;
  /** the `skipped` counter */
  readonly skipped: string;
  /** the `failed` counter */
  readonly failed: string;
}

const ENDINGS = { done: 'Done', cancelled: 'Cancelled', failed: 'Failed' } as const;

export const ROTATE_WORDS: ProgressWords = {
  phases: {
    validating: 'Preparing',
    // The workers keep testing records while the backup is written: both are under way.
    'backing-up': 'Backing up, testing',
    rotating: 'Rotating',
    finishing: 'Finishing',
    ...ENDINGS,
  },
  done: 'rotated',
  skipped: 'skipped',
  failed: 'failed',
};

export const DRY_RUN_WORDS: ProgressWords = {
  ...ROTATE_WORDS,
  phases: { ...ROTATE_WORDS.phases, rotating: 'Testing (dry run)' },
  done: 'would rotate',
};

/** verify's events are mapped onto RotationProgress (verify.ts): validating = starting, rotating = checking. */
export const VERIFY_WORDS: ProgressWords = {
  phases: {
    validating: 'Preparing',
    'backing-up': 'Verifying',
    rotating: 'Verifying',
    finishing: 'Verifying',
    ...ENDINGS,
  },
  done: 'opened',
  skipped: 'did not open',
  failed: 'malformed',
};

export function phaseLabel(phase: RotationPhase, words: ProgressWords = ROTATE_WORDS): string {
  return words.phases[phase];
}

/** A part of the line and when it goes on a narrow terminal (lower: sooner; 0: never). */
interface Part {
  readonly text: string;
  readonly dropRank: number;
}

/** Zero counters say nothing: they go first; then the rate, the ETA, then counters that matter. */
function countParts(progress: RotationProgress, words: ProgressWords): Part[] {
  const counter = (label: string, value: number, rank: number): Part => ({
    text: `${label} ${formatCount(value)}`,
    dropRank: value === 0 ? 1 : rank,
  });
  const eta = progress.etaMs === null ? 'ETA --' : `ETA ${formatDuration(progress.etaMs)}`;
  return [
    { text: `${formatCount(progress.scanned)}/${formatCount(progress.total)}`, dropRank: 0 },
    counter(words.done, progress.rotated, 6),
    counter(words.skipped, progress.skipped, 4),
    counter(words.failed, progress.failed, 5),
    { text: formatRate(progress.ratePerSecond), dropRank: 2 },
    { text: eta, dropRank: 3 },
  ];
}

const SEPARATOR = ' · ';

/** "840/2,000 · rotated 600 · skipped 230 · failed 10 · 1,234/s · ETA 5s" */
export function progressCounts(
  progress: RotationProgress,
  words: ProgressWords = ROTATE_WORDS,
): string {
  return countParts(progress, words)
    .map((part) => part.text)
    .join(SEPARATOR);
}

/**
 * The TTY bar, fitted to `width` columns so the terminal never wraps it (a
 * wrap breaks \r): parts are dropped in rank order, then the bar, then the
 * line is cut.
 */
export function progressBarLine(
  progress: RotationProgress,
  width: number,
  words: ProgressWords = ROTATE_WORDS,
): string {
  const limit = Math.max(1, width - 1);
  const percent = percentOf(progress.scanned, progress.total);
  const label = phaseLabel(progress.phase, words);
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 5)));
  const filled = Math.round((percent / 100) * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const head = `${percent.toFixed(0).padStart(3)}%`;
  let parts = countParts(progress, words);
  const compose = (withBar: boolean): string =>
    `${label} ${withBar ? `${bar} ` : ''}${head} ${parts.map((part) => part.text).join(SEPARATOR)}`;
  const ranks = [...new Set(parts.map((part) => part.dropRank))]
    .filter((r) => r > 0)
    .sort((a, b) => a - b);
  let line = compose(true);
  for (const rank of ranks) {
    if (Array.from(line).length <= limit) break;
    parts = parts.filter((part) => part.dropRank !== rank);
    line = compose(true);
  }
  if (Array.from(line).length > limit) line = compose(false);
  return truncate(line, limit);
}

/** "progress: rotating 42% 840/2,000 · rotated 600 · ..." */
export function progressLogLine(
  progress: RotationProgress,
  words: ProgressWords = ROTATE_WORDS,
): string {
  const percent = percentOf(progress.scanned, progress.total).toFixed(0);
  return `progress: ${phaseLabel(progress.phase, words).toLowerCase()} ${percent}% ${progressCounts(progress, words)}`;
}

function truncate(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('')}…`;
}
