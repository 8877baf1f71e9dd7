/**
 * The coverage proof of a run: "completed" only when every record in scope
 * was visited exactly once (the main pass with no foreign commit), or the
 * sweep's last quiet round read every record in scope. Asserted by the run
 * (rotation-run.ts), before any result is built.
 */
import { EngineError } from '../../errors.js';
import type { RotationCoverage } from '../types.js';
import type { SweepReport } from './sweep.js';

/** A rotation may only say completed if it visited every record in scope exactly once. */
export function assertCovered(coverage: RotationCoverage, table: string): void {
  if (coverage.foreignWrites || coverage.visited === coverage.rowsAtStart) return;
  throw new EngineError(
    'INTERNAL',
    `The rotation visited ${coverage.visited} record(s) of table ${table} but ${coverage.rowsAtStart} were there ` +
      'when it started, and no other program wrote to the vault: it cannot say every record was rotated. ' +
      'Committed batches are kept and verified; please report this, and run the rotation again.',
  );
}

/**
 * The sweep's last quiet round read the table as the run left it: it must
 * have read every record in scope. One it missed was never visited by the
 * sweep and, missed the same way, maybe not by the pass either (whatever
 * other programs wrote meanwhile).
 */
export function assertSweepCovered(sweep: SweepReport, table: string): void {
  if (sweep.cancelled || sweep.unaccounted === 0) return;
  throw new EngineError(
    'INTERNAL',
    `The rotation's last re-read of table ${table} read ${Math.abs(sweep.unaccounted)} record(s) ` +
      `${sweep.unaccounted > 0 ? 'fewer' : 'more'} than the table holds in scope, while no other program ` +
      'wrote to it: a record may have been skipped, so it cannot say every record was rotated. Committed ' +
      'batches are kept and verified; please report this, and run the rotation again (--resume).',
  );
}
