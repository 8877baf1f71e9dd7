/** One line that describes a progress event: the TTY bar and the plain log line. */
import type { RotationPhase, RotationProgress } from '../../engine/index.js';
import { formatCount, formatDuration, formatRate, percentOf } from '../format.js';

const PHASE_LABELS: Record<RotationPhase, string> = {
  validating: 'Checking',
  'backing-up': 'Backing up',
  rotating: 'Rotating',
  finishing: 'Finishing',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function phaseLabel(phase: RotationPhase): string {
  return PHASE_LABELS[phase];
}

/** "840/2,000 · rotated 600 · skipped 230 · failed 10 · 1,234/s · ETA 5s" */
export function progressCounts(progress: RotationProgress, verb = 'rotated'): string {
  const eta = progress.etaMs === null ? 'ETA --' : `ETA ${formatDuration(progress.etaMs)}`;
  return [
    `${formatCount(progress.scanned)}/${formatCount(progress.total)}`,
    `${verb} ${formatCount(progress.rotated)}`,
    `skipped ${formatCount(progress.skipped)}`,
    `failed ${formatCount(progress.failed)}`,
    formatRate(progress.ratePerSecond),
    eta,
  ].join(' · ');
}

/** The TTY bar, cut to `width` columns so the terminal never wraps it (a wrap breaks \r). */
export function progressBarLine(progress: RotationProgress, width: number, verb?: string): string {
  const percent = percentOf(progress.scanned, progress.total);
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 5)));
  const filled = Math.round((percent / 100) * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const line = `${phaseLabel(progress.phase)} ${bar} ${percent.toFixed(0).padStart(3)}% ${progressCounts(progress, verb)}`;
  return truncate(line, Math.max(1, width - 1));
}

/** "progress: rotating 42% 840/2,000 · rotated 600 · ..." */
export function progressLogLine(progress: RotationProgress, verb?: string): string {
  const percent = percentOf(progress.scanned, progress.total).toFixed(0);
  return `progress: ${phaseLabel(progress.phase).toLowerCase()} ${percent}% ${progressCounts(progress, verb)}`;
}

function truncate(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('')}…`;
}
