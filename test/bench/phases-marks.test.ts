/**
 * How section phases (bench/phases-bench.ts) reads a run's timing marks:
 * the phases it splits the wall time into, and whether the pre-flight ran
 * as a job of its own (its derivations are then not in the summary's).
 * test/cli/timings.test.ts feeds it the real CLI's output.
 */
import { describe, expect, it } from 'vitest';
import {
  factsFromMarks,
  parseMarks,
  phasesFromMarks,
  separatePreflightJob,
} from '../../bench/phases-bench.js';

const TWO_JOBS = parseMarks(
  [
    'timing: 80.0 ms cli-start',
    'timing: 85.0 ms vault-open',
    'timing: 95.0 ms vault-opened',
    'timing: 96.0 ms pool-start',
    'timing: 226.0 ms pool-ready',
    'something else the CLI wrote',
    'timing: 1600.0 ms pool-closed',
    'timing: 1601.0 ms phase:validating',
    'timing: 1602.0 ms vault-open',
    'timing: 1603.0 ms vault-opened',
    'timing: 1604.0 ms pool-start',
    'timing: 1704.0 ms pool-ready',
    'timing: 3000.0 ms phase:rotating',
    'timing: 7000.0 ms phase:finishing',
    'timing: 7001.0 ms phase:done',
    'timing: 7010.0 ms pool-closed',
    'timing: 7012.0 ms exit',
  ].join('\n'),
);

describe('phases from timing marks', () => {
  it('splits the wall time at start-up, the first vault opened, the pass and the exit mark', () => {
    expect(TWO_JOBS).toHaveLength(16);
    expect(phasesFromMarks(TWO_JOBS, 7030)).toEqual({
      'start-up': 80,
      open: 15,
      checks: 2905,
      pass: 4000,
      finish: 12,
      exit: 18,
    });
  });

  it('counts pools, their start-up and the time before the rotation job', () => {
    expect(factsFromMarks(TWO_JOBS)).toEqual({
      pools: 2,
      poolStartMs: 230,
      beforeJobMs: 1506,
      vaultOpens: 2,
    });
  });

  it('tells a pre-flight job of its own from the rotation checking for itself', () => {
    expect(separatePreflightJob(TWO_JOBS)).toBe(true);
    const oneJob = TWO_JOBS.filter((mark, i) => i >= 6 || mark.label === 'cli-start');
    expect(separatePreflightJob(oneJob)).toBe(false);
    expect(factsFromMarks(oneJob)).toMatchObject({ pools: 1, vaultOpens: 1, beforeJobMs: 0 });
  });

  it('leaves a phase whose mark is missing as NaN', () => {
    const noPass = TWO_JOBS.filter((mark) => mark.label !== 'phase:rotating');
    const phases = phasesFromMarks(noPass, 7030);
    expect(phases.checks).toBeNaN();
    expect(phases.pass).toBeNaN();
    expect(phases.open).toBe(15);
  });
});
