/**
 * shareBuiltinsWithWorkers (src/engine/young-generation.ts), which the CLI
 * calls at start: a worker started afterwards makes no copy of V8's builtins
 * (2 MiB resident per crypto worker, issue 20). Each case is a fresh
 * process: V8 flags are per process. Linux only (/proc/self/maps).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cli.js';

const execFileAsync = promisify(execFile);
const script = join(import.meta.dirname, 'support', 'builtin-copies.ts');

/** Executable mappings of the node binary a worker's start added in a fresh process. */
async function copiesPerWorker(args: string[]): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, [script, ...args], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  return Number(stdout.trim());
}

describe.runIf(process.platform === 'linux')('shareBuiltinsWithWorkers', () => {
  let withoutIt = 0;
  beforeAll(async () => {
    withoutIt = await copiesPerWorker([]);
  });

  it('a worker started without it maps a copy of the builtins (where V8 makes one)', () => {
    // V8 copies them only on 64-bit machines with 4 GiB of memory or more; CI machines are.
    expect(withoutIt).toBe(1);
  });

  it('a worker started after it maps none', async () => {
    expect(await copiesPerWorker(['shared'])).toBe(0);
  });
});
