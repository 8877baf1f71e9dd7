/**
 * A resumed rotation's engine events count this run only (`total`: the
 * records after the checkpoint's cursor), while its summary counts every run.
 * Adding what the checkpoint says the earlier runs did makes the two agree:
 * the last event's `total` and `scanned` are the summary's `scanned`.
 */
import type { RecordCounts, RotationCheckpoint, RotationProgress } from '../../engine/index.js';

export type EarlierRuns = Omit<RecordCounts, 'opened'>;

/** What a resume adds to this run's counts, as the engine does for the summary (a redo starts from zero). */
export function earlierRuns(checkpoint: RotationCheckpoint | null): EarlierRuns | null {
  if (checkpoint === null || checkpoint.redoFromStart === true) return null;
  const { scanned, rotated, skipped, failed, bytes } = checkpoint.counts;
  return scanned === 0 ? null : { scanned, rotated, skipped, failed, bytes };
}

const ADDED = ['scanned', 'rotated', 'skipped', 'failed', 'bytes'] as const;

export function withEarlierRuns(
  progress: RotationProgress,
  earlier: EarlierRuns | null,
): RotationProgress {
  if (earlier === null) return progress;
  const summed: { -readonly [K in keyof RotationProgress]: RotationProgress[K] } = { ...progress };
  for (const key of ADDED) summed[key] = earlier[key] + progress[key];
  // The records after the cursor, plus those the earlier runs went through.
  summed.total = earlier.scanned + progress.total;
  return summed;
}
