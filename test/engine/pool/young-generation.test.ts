/**
 * keepYoungGenerationSmall (src/engine/young-generation.ts), which the CLI
 * calls at start: steady allocation no longer grows the young generation
 * (Node 24: to 128 MiB, kept committed; issue 20). Each case is a fresh process: V8 flags are per process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cli.js';

const execFileAsync = promisify(execFile);
const churn = join(import.meta.dirname, 'support', 'heap-churn.ts');

/** Peak size of the child's young generation (new_space), MiB. */
async function peakYoungGenerationMiB(args: string[]): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, [churn, ...args], {
    cwd: repoRoot,
    timeout: 120_000,
  });
  return Number(stdout.trim());
}

describe('keepYoungGenerationSmall', () => {
  it('keeps the young generation of a steadily allocating thread small', async () => {
    expect(await peakYoungGenerationMiB(['small'])).toBeLessThan(32);
  });

  it('is what makes the difference: without it the same work grows it past 64 MiB', async () => {
    expect(await peakYoungGenerationMiB([])).toBeGreaterThan(64);
  });
});
