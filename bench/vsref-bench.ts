/**
 * The reference implementation's rotation (the Go library's algorithm, run
 * by `vsref rotate`) on an identical copy of the benchmark vault. vsref takes
 * passwords on its command line: it is a test tool, and these are throwaway
 * benchmark passwords. Our own CLI never does that.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, copyFileSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { BENCH_NEW_PASSWORD, BENCH_OLD_PASSWORD } from './bench-vault.js';

const execFileAsync = promisify(execFile);

export interface VsrefRotateResult {
  readonly workers: number;
  readonly scanned: number;
  readonly rotated: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly kdfPerSecond: number;
}

interface VsrefJson {
  workers: number;
  scanned: number;
  rotated: number;
  seconds: number;
  records_per_sec: number;
  kdf_per_sec: number;
}

export function vsrefAvailable(path: string | null): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `vsref rotate` of a default-preset vault's copy with the benchmark's passwords, its report to `jsonPath`. */
export function vsrefRotateArgs(copyPath: string, table: string, jsonPath: string): string[] {
  return [
    'rotate',
    '-db',
    copyPath,
    '-table',
    table,
    '-old',
    BENCH_OLD_PASSWORD,
    '-new',
    BENCH_NEW_PASSWORD,
    '-config',
    'default',
    '-json',
    jsonPath,
  ];
}

export async function benchVsrefRotate(
  vsref: string,
  sourceVault: string,
  copyPath: string,
  workers: number,
): Promise<VsrefRotateResult> {
  copyFileSync(sourceVault, copyPath);
  const jsonPath = `${copyPath}.vsref.json`;
  await execFileAsync(
    vsref,
    [...vsrefRotateArgs(copyPath, 'vault', jsonPath), '-workers', String(workers)],
    { timeout: 30 * 60_000 },
  );
  const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as VsrefJson;
  return {
    workers: json.workers,
    scanned: json.scanned,
    rotated: json.rotated,
    seconds: json.seconds,
    recordsPerSecond: json.records_per_sec,
    kdfPerSecond: json.kdf_per_sec,
  };
}
