/**
 * Peak memory of a rotation as the vault grows (tiny preset, so the vault
 * size dominates rather than Argon2id's own memory). Each rotation runs in a
 * child process of its own so the peaks are independent; the child reports
 * its own peak RSS (KiB, all threads of the process; peak-rss.ts: not
 * maxRSS, which a child inherits from its parent).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ARGON2_PRESETS, rotateVault } from '../src/engine/index.js';
import { BENCH_NEW_PASSWORD, BENCH_OLD_PASSWORD, generateBenchVault, utf8 } from './bench-vault.js';
import { ownPeakRssKiB } from './peak-rss.js';
import type { RotationTarget } from './rotation-bench.js';

const execFileAsync = promisify(execFile);
/** bench/memory-child.ts, bundled next to bench.mjs */
const MEMORY_CHILD = 'memory-child.mjs';

export interface MemoryChildReport {
  readonly records: number;
  readonly rotated: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  /** RSS once the modules are loaded, before the rotation */
  readonly baselineRssKiB: number;
  readonly maxRssKiB: number;
  /** peaks sampled every 50 ms on the host thread (workers have heaps of their own) */
  readonly peakHeapUsedKiB: number;
  readonly peakHeapTotalKiB: number;
  readonly peakExternalKiB: number;
  /**
   * Live JS heap after a forced full GC, a quarter of the way through and at
   * the end of the pass: what the run truly keeps per record (the peaks above
   * also hold garbage V8 has not collected yet).
   */
  readonly liveHeapKiB: { readonly quarter: number; readonly end: number } | null;
}

const SAMPLE_MS = 50;
const kib = (bytes: number): number => Math.round(bytes / 1024);

export interface MemoryBenchResult {
  readonly runs: readonly MemoryChildReport[];
  /** peak of the larger vault / peak of the smaller; target <= 1.25 */
  readonly ratio: number;
  readonly generateSeconds: number;
}

/** Child side: rotate the vault, print one JSON report on stdout. */
export async function runMemoryChild(target: RotationTarget): Promise<void> {
  const baselineRssKiB = kib(process.memoryUsage().rss);
  const peaks = { heapUsed: 0, heapTotal: 0, external: 0 };
  const sample = (): void => {
    const usage = process.memoryUsage();
    peaks.heapUsed = Math.max(peaks.heapUsed, usage.heapUsed);
    peaks.heapTotal = Math.max(peaks.heapTotal, usage.heapTotal);
    peaks.external = Math.max(peaks.external, usage.external);
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  const startedAt = performance.now();
  // The child runs with --expose-gc; the forced collections happen twice per run, outside the peaks' story.
  const gc = (globalThis as { gc?: () => void }).gc;
  const live = { quarter: 0, end: 0 };
  const liveHeap = (): number => {
    gc?.();
    return kib(process.memoryUsage().heapUsed);
  };
  let result;
  try {
    result = await rotateVault({
      ...target,
      oldPassword: utf8(BENCH_OLD_PASSWORD),
      newPassword: utf8(BENCH_NEW_PASSWORD),
      openConfig: ARGON2_PRESETS.tiny,
      backup: false,
      onProgress: (progress) => {
        const quarterDone = progress.phase === 'rotating' && progress.scanned >= progress.total / 4;
        if (live.quarter === 0 && quarterDone) live.quarter = liveHeap();
        // everything visited, the run's state (ledger, counts) still held
        if (live.end === 0 && progress.phase === 'finishing') live.end = liveHeap();
      },
    });
  } finally {
    clearInterval(sampler);
    target.serverPassword?.fill(0);
  }
  sample();
  const seconds = (performance.now() - startedAt) / 1000;
  const report: MemoryChildReport = {
    records: result.scanned,
    rotated: result.rotated,
    seconds,
    recordsPerSecond: result.scanned / seconds,
    baselineRssKiB,
    maxRssKiB: ownPeakRssKiB(),
    peakHeapUsedKiB: kib(peaks.heapUsed),
    peakHeapTotalKiB: kib(peaks.heapTotal),
    peakExternalKiB: kib(peaks.external),
    liveHeapKiB: gc && live.end > 0 ? live : null,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * Rotates `target` in a child process of its own (memory-child.ts); a server
 * vault's password goes to it on stdin, never in its arguments.
 */
export async function rotateInChild(target: RotationTarget): Promise<MemoryChildReport> {
  const bench = process.argv[1];
  if (!bench) throw new Error('cannot find the benchmark script to start a child process');
  const args = [target.vaultPath, ...(target.checkpointDir ? [target.checkpointDir] : [])];
  const child = execFileAsync(
    process.execPath,
    [...process.execArgv, '--expose-gc', join(dirname(bench), MEMORY_CHILD), ...args],
    { timeout: 60 * 60_000, maxBuffer: 1024 * 1024 },
  );
  child.child.stdin?.end(target.serverPassword ?? new Uint8Array(0));
  target.serverPassword?.fill(0);
  const { stdout } = await child;
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as MemoryChildReport;
}

export async function benchMemory(
  workDir: string,
  sizes: readonly [number, number],
  log: (line: string) => void,
): Promise<MemoryBenchResult> {
  const runs: MemoryChildReport[] = [];
  let generateSeconds = 0;
  for (const size of sizes) {
    const path = join(workDir, `memory-${size}.db`);
    const startedAt = performance.now();
    await generateBenchVault(path, size, ARGON2_PRESETS.tiny, true);
    generateSeconds += (performance.now() - startedAt) / 1000;
    log(`  rotating ${size} records (tiny preset) in a child process…`);
    runs.push(await rotateInChild({ vaultPath: path }));
  }
  const [small, large] = runs;
  return { runs, ratio: large!.maxRssKiB / small!.maxRssKiB, generateSeconds };
}
