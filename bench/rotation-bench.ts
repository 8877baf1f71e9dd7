/**
 * Rotation of a default-preset vault on this machine (in a SQLite file or a
 * database server): records/s, the pipeline efficiency against the pool's Argon2id rate, and the event-loop
 * delay of the thread hosting the job (the Electron main thread in the app).
 */
import { copyFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  ARGON2_PRESETS,
  rotateVault,
  type Argon2Config,
  type RotationResult,
} from '../src/engine/index.js';
import { BENCH_NEW_PASSWORD, BENCH_OLD_PASSWORD, utf8 } from './bench-vault.js';
import type { GeneratedVault } from './vault-generator.js';

export interface RotationBenchResult {
  readonly records: number;
  readonly workers: number | null;
  readonly kdfBackend: string | null;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  /** v2 records tested + records written: what the format makes necessary */
  readonly derivationsNeeded: number;
  /** what the engine reports it performed */
  readonly derivationsPerformed: number;
  /** spent on the checks before the rotation (settings sample, resume canaries): the price of trust */
  readonly checkDerivations: number;
  /** pool rate (derivations/s) the efficiency is measured against */
  readonly poolDerivationsPerSecond: number | null;
  /**
   * measured rate / (pool rate / derivations needed per record), i.e. the
   * pool's best-case time for the needed derivations / the measured time.
   * Target >= 0.95.
   */
  readonly efficiency: number | null;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** The efficiency against a pool rate (measured around the rotation, see index.ts). */
export function withPoolRate(
  result: RotationBenchResult,
  poolDerivationsPerSecond: number | null,
): RotationBenchResult {
  // The pool's best case: the needed derivations back to back on every worker.
  const idealSeconds = poolDerivationsPerSecond
    ? result.derivationsNeeded / poolDerivationsPerSecond
    : null;
  return {
    ...result,
    poolDerivationsPerSecond,
    efficiency: idealSeconds === null ? null : idealSeconds / result.seconds,
  };
}

/** Where the vault to rotate is: a SQLite file, or a server's connection string with its password. */
export interface RotationTarget {
  readonly vaultPath: string;
  readonly serverPassword?: Uint8Array;
  readonly checkpointDir?: string;
}

/** A default-preset rotation of a copy of `vault` at `copyPath` (SQLite). */
export function benchRotation(
  vault: GeneratedVault,
  copyPath: string,
): Promise<RotationBenchResult> {
  copyFileSync(vault.path, copyPath);
  return measureRotation(vault, { vaultPath: copyPath }, ARGON2_PRESETS.default);
}

/** Rotates `target`, which holds the records of `vault` (generated with `config`). */
export async function measureRotation(
  vault: GeneratedVault,
  target: RotationTarget,
  config: Argon2Config,
): Promise<RotationBenchResult> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  let result: RotationResult;
  const startedAt = performance.now();
  try {
    result = await rotateVault({
      ...target,
      oldPassword: utf8(BENCH_OLD_PASSWORD),
      newPassword: utf8(BENCH_NEW_PASSWORD),
      openConfig: config,
      backup: false,
    });
  } finally {
    histogram.disable();
    target.serverPassword?.fill(0);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  if (result.status !== 'completed') {
    throw new Error(`the benchmark rotation ended ${result.status}`);
  }
  const v2Tested = Object.values(vault.byPassword).reduce((sum, counts) => sum + counts.v2, 0);
  const ms = (ns: number): number => ns / 1e6;
  return {
    records: result.scanned,
    workers: result.workers ?? null,
    kdfBackend: result.kdfBackend ?? null,
    seconds,
    recordsPerSecond: result.scanned / seconds,
    rotated: result.rotated,
    skipped: result.skipped,
    failed: result.failed,
    derivationsNeeded: v2Tested + result.rotated,
    derivationsPerformed: result.derivations,
    checkDerivations: result.checkDerivations ?? 0,
    poolDerivationsPerSecond: null,
    efficiency: null,
    eventLoopDelayMs: {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    },
  };
}
