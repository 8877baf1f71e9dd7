import type { ReactNode } from 'react';
import { formatPercent } from '../../lib/format.js';

/**
 * The progress of a verify or pre-flight check: a bar of `done` out of
 * `total` (indeterminate until the total is known) and a line of counts.
 */
export function CheckMeter({
  label,
  done,
  total,
  counts,
}: {
  /** what the bar measures, for screen readers */
  label: string;
  done: number;
  /** null until the first progress event says how many */
  total: number | null;
  counts: string;
}): ReactNode {
  const known = total !== null && total > 0;
  return (
    <div className="meter" data-testid="check-progress">
      {known ? (
        <progress max={total} value={Math.min(done, total)} aria-label={label} />
      ) : (
        <progress aria-label={label} />
      )}
      <p className="meter-caption" data-testid="check-counts">
        {known ? `${formatPercent(done, total)} · ${counts}` : counts}
      </p>
    </div>
  );
}
