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
import { expect } from 'vitest';

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

export interface VsrefVerifyOptions {
  /** preset name or t=..,m=..,p=.. */
  config: string;
  /** "OLD=>NEW" */
  expect: string;
  softDeleted: 'rotated' | 'unchanged' | 'either';
  table?: string;
  /** also decrypt untouched records (with their manifest password) */
  deep?: boolean;
}

/**
 * `vsref verify` of a rotated vault against the manifest next to it
 * (`<db>.manifest.json`). Returns false, with the reason printed, when vsref
 * is absent; otherwise asserts PASS.
 */
export async function expectVsrefVerifies(
  db: string,
  options: VsrefVerifyOptions,
): Promise<boolean> {
  if (!vsrefPath) {
    console.warn(`[skip] ${vsrefSkipReason}`);
    return false;
  }
  const out = await runVsref([
    'verify',
    '-db',
    db,
    '-manifest',
    `${db}.manifest.json`,
    '-table',
    options.table ?? 'vault',
    '-config',
    options.config,
    '-expect',
    options.expect,
    '-softdeleted',
    options.softDeleted,
    ...(options.deep ? ['-deep'] : []),
  ]);
  expect(out.stdout + out.stderr, `vsref verify ${db}`).toMatch(/verify: PASS/);
  expect(out.code).toBe(0);
  return true;
}
