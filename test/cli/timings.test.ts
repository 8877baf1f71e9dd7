/**
 * VAULTSTORE_ADMIN_TIMINGS=1 (src/cli/timings.ts): the bundled CLI prints a
 * timing mark at each step of a real rotation (engine marks from opening the
 * vault and starting the pool, the CLI's own at start-up, each phase and
 * exit), in program order, labels only; without the variable it prints none.
 * The benchmark's parser (bench/phases-bench.ts) reads the real output.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PHASES, parseMarks, phasesFromMarks } from '../../bench/phases-bench.js';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  expectNoSecret,
  rotateArgs,
  runCli,
  writePasswordFiles,
  type BuiltCli,
} from '../support/cli.js';
import { FIXTURE_PASSWORD_A } from '../support/passwords.js';

const NEW = 'cli-timings-new-password-0123';

let cli: BuiltCli;
let temp: TempDir;

beforeAll(async () => {
  cli = await buildCliForTest('timings');
});
afterAll(() => cli?.dispose());
beforeEach(() => {
  temp = makeTempDir('vsa-cli-timings-');
});
afterEach(() => temp.dispose());

async function rotate(env: Record<string, string>, name = 'run') {
  const dir = join(temp.path, name);
  mkdirSync(dir);
  const vault = copyFixture('tiny200', dir);
  const passwords = writePasswordFiles(dir, FIXTURE_PASSWORD_A, NEW);
  const run = await runCli(cli.entry, rotateArgs(vault, passwords, ['--no-backup']), { env });
  expect(run.code, run.stderr).toBe(0);
  expect(expectNoSecret(run, [FIXTURE_PASSWORD_A, NEW])).toEqual([]);
  return run;
}

describe('VAULTSTORE_ADMIN_TIMINGS', () => {
  it('prints the marks of a rotation in program order, labels and times only', async () => {
    const run = await rotate({ VAULTSTORE_ADMIN_TIMINGS: '1' });
    const lines = run.stderr.split('\n').filter((line) => line.startsWith('timing:'));
    for (const line of lines) expect(line).toMatch(/^timing: \d+\.\d ms [a-z:-]+$/);
    const marks = parseMarks(run.stderr);
    expect(marks).toHaveLength(lines.length);
    const labels = marks.map((mark) => mark.label);
    expect(labels[0]).toBe('cli-start');
    expect(labels.at(-1)).toBe('exit');
    const order = (label: string): number => labels.indexOf(label);
    for (const [before, after] of [
      ['cli-start', 'vault-open'],
      ['vault-open', 'vault-opened'],
      ['vault-opened', 'phase:rotating'],
      ['phase:validating', 'phase:rotating'],
      ['pool-start', 'pool-ready'],
      ['pool-ready', 'phase:rotating'],
      ['phase:rotating', 'phase:finishing'],
      ['phase:finishing', 'phase:done'],
      ['phase:done', 'exit'],
    ] as const) {
      expect(order(before), `${before} before ${after}`).toBeGreaterThanOrEqual(0);
      expect(order(before), `${before} before ${after}`).toBeLessThan(order(after));
    }
    // every pool started is closed, and marks come in time order
    expect(labels.filter((l) => l === 'pool-closed')).toHaveLength(
      labels.filter((l) => l === 'pool-start').length,
    );
    const times = marks.map((mark) => mark.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // the benchmark splits the run at these marks: every phase found, none negative
    const exitAt = marks.at(-1)!.at;
    const phases = phasesFromMarks(marks, exitAt);
    for (const phase of PHASES) expect(phases[phase], phase).toBeGreaterThanOrEqual(0);
    // the stdout JSON is unchanged: the summary is the last line
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      type: 'summary',
      status: 'completed',
    });
  });

  it('prints no mark without the variable (or with another value)', async () => {
    for (const [name, env] of Object.entries({
      unset: {},
      yes: { VAULTSTORE_ADMIN_TIMINGS: 'yes' },
    })) {
      const run = await rotate(env, name);
      expect(run.stderr).not.toMatch(/timing:/);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toMatchObject({
        type: 'summary',
        status: 'completed',
      });
    }
  });
});
