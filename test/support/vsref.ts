/**
 * The independent Go implementation of VaultStore (`vsref`), found at
 * ../shared/tools/vsref (or $VSREF). Tests that use it skip with a printed
 * reason when it is absent: the project never depends on ../shared.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function findVsref(): string | null {
  const candidate = process.env.VSREF ?? resolve(repoRoot, '../shared/tools/vsref');
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return null;
  }
}

export const vsrefPath: string | null = findVsref();

/** Human reason printed when a vsref test is skipped. */
export const vsrefSkipReason = `vsref not found (looked for $VSREF or ${resolve(repoRoot, '../shared/tools/vsref')}): skipping the check against the independent Go implementation`;

if (!vsrefPath) console.warn(`[skip] ${vsrefSkipReason}`);

export interface VsrefOutput {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs vsref; never throws for a non-zero exit (the caller asserts). */
export async function runVsref(args: string[], timeoutMs = 120_000): Promise<VsrefOutput> {
  if (!vsrefPath) throw new Error(vsrefSkipReason);
  try {
    const { stdout, stderr } = await execFileAsync(vsrefPath, args, {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return {
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
      code: typeof e.code === 'number' ? e.code : 1,
    };
  }
}
