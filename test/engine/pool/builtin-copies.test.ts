/**
 * shareBuiltinsWithWorkers (src/engine/young-generation.ts), which the CLI
 * calls at start: a worker started afterwards makes no copy of V8's builtins
 * (2 MiB resident per crypto worker, issue 20). Each case is a fresh
 * process: V8 flags are per process. Linux only (/proc/self/maps).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
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

/**
 * V8 copies the builtins only when the isolate's code range lands out of reach of the binary's
 * own copy, which address-space randomisation decides per process: some processes need no copy
 * either way. So the case without the flag asks several fresh processes, and the case with it
 * expects none in as many.
 */
const PROCESSES = 6;

describe.runIf(process.platform === 'linux')('shareBuiltinsWithWorkers', () => {
  it('a worker started without it maps a copy of the builtins (where V8 makes one)', async () => {
    // V8 copies them only on 64-bit machines with 4 GiB of memory or more; CI machines are.
    const copies: number[] = [];
    for (let i = 0; i < PROCESSES && !copies.includes(1); i++)
      copies.push(await copiesPerWorker([]));
    expect(copies).toContain(1);
  });

  it('a worker started after it maps none', async () => {
    for (let i = 0; i < PROCESSES; i++) expect(await copiesPerWorker(['shared'])).toBe(0);
  });
});
