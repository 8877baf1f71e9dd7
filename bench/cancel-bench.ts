/**
 * Cancel latency: from AbortController.abort() to rotateVault settling, on a
 * default-preset vault while every worker is mid-derivation. The engine
 * promises it is bounded by about one Argon2id derivation per worker.
 */
import { copyFileSync } from 'node:fs';
import { ARGON2_PRESETS, rotateVault } from '../src/engine/index.js';
import { BENCH_NEW_PASSWORD, BENCH_OLD_PASSWORD, utf8 } from './bench-vault.js';

export interface CancelBenchResult {
  readonly trials: number;
  readonly latenciesMs: readonly number[];
  readonly medianMs: number;
  readonly maxMs: number;
  readonly statuses: readonly string[];
}

/** How long after the first scanned record the abort comes: workers are busy by then. */
const ABORT_AFTER_MS = 500;

async function oneTrial(vaultPath: string): Promise<{ latencyMs: number; status: string }> {
  const controller = new AbortController();
  let abortedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const job = rotateVault({
    vaultPath,
    oldPassword: utf8(BENCH_OLD_PASSWORD),
    newPassword: utf8(BENCH_NEW_PASSWORD),
    openConfig: ARGON2_PRESETS.default,
    backup: false,
    // Each trial rotates a fresh copy: the previous trial's checkpoint is not this rotation's.
    restart: true,
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.scanned === 0 || timer) return;
      timer = setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, ABORT_AFTER_MS);
    },
  });
  try {
    const result = await job;
    const settledAt = performance.now();
    return {
      latencyMs: abortedAt === 0 ? Number.NaN : settledAt - abortedAt,
      status: result.status,
    };
  } finally {
    clearTimeout(timer);
  }
}

export async function benchCancel(
  sourceVault: string,
  copyPath: string,
  trials: number,
): Promise<CancelBenchResult> {
  const latenciesMs: number[] = [];
  const statuses: string[] = [];
  for (let trial = 0; trial < trials; trial++) {
    copyFileSync(sourceVault, copyPath);
    const { latencyMs, status } = await oneTrial(copyPath);
    latenciesMs.push(latencyMs);
    statuses.push(status);
  }
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    trials,
    latenciesMs,
    medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
    maxMs: sorted.at(-1) ?? Number.NaN,
    statuses,
  };
}
