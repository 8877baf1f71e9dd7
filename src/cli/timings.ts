/**
 * VAULTSTORE_ADMIN_TIMINGS=1: the CLI writes a line to stderr at each step
 * of its run, `timing: <ms since the process started> <label>` (start-up
 * done, vault opened, worker pool ready and closed, each progress phase,
 * exit), which `npm run bench` turns into a per-phase breakdown. Labels and
 * times only: never a value, a password or a path.
 */
import { onTimingMarks } from '../engine/index.js';
import type { TextOutput } from './io.js';

export const TIMINGS_ENV = 'VAULTSTORE_ADMIN_TIMINGS';

/** One line per mark; parsed by bench/phase-timings.ts. */
export function timingLine(label: string, at: number): string {
  return `timing: ${at.toFixed(1)} ms ${label}\n`;
}

/**
 * When the variable is 1: marks the end of start-up (every module loaded),
 * prints each mark the engine and the progress reporters make, and the exit.
 */
export function printTimingsIfAsked(
  env: NodeJS.ProcessEnv,
  stderr: Pick<TextOutput, 'write'>,
  onExit: (listener: () => void) => void,
): void {
  if (env[TIMINGS_ENV] !== '1') return;
  const write = (label: string, at: number): void => {
    stderr.write(timingLine(label, at));
  };
  write('cli-start', performance.now());
  onTimingMarks((mark) => write(mark.label, mark.at));
  onExit(() => write('exit', performance.now()));
}
