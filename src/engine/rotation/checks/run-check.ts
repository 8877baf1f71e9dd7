/**
 * The check before a fresh rotation, which is the pre-flight a person sees
 * (the CLI's and the app's): a sample of v2 and v1 records tested with the
 * old password on the rotation's own pool, the same decision as
 * preflightRotation (sample-diagnosis.ts), its result told through
 * onPreflight before a refusal is thrown. The distributed coordinator plans
 * with it too (without keeping results: its shards run elsewhere).
 */
import type { Argon2Config } from '../../../core/argon2.js';
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { VaultStore } from '../../storage/types.js';
import type { JobResources } from '../job/job-resources.js';
import type { RecordScope } from '../job/record-scope.js';
import type { RotationOptions } from '../types.js';
import { PreflightProgressReporter, preflightResultOf } from './preflight.js';
import { diagnoseSample, refusalError } from './sample-diagnosis.js';
import type { SampledResults } from './sampled-results.js';

/** Records sampled (v2, and as many v1) before a fresh rotation: the pre-flight's sample. */
const CONFIG_CHECK_SAMPLE = 16;

/** What the check needs of the job: the pool, the records in scope, where to keep its results. */
export interface SampleCheckJob {
  readonly store: VaultStore;
  readonly scope: RecordScope;
  readonly pool: CryptoPool;
  readonly table: string;
  /** records in scope and the write settings: the pre-flight's estimate (default: not estimated) */
  readonly total?: number;
  readonly writeConfig?: Argon2Config;
  /** keep the sample's results for the main pass (the run's own check) */
  readonly keep?: SampledResults;
}

/**
 * The check of a fresh run, which is the pre-flight a person sees
 * (onPreflight): refuses settings that open v1 records only (unless
 * skipConfigCheck) and a sample in which nothing opens (unless scanAnyway),
 * before anything is written. Returns the derivations it spent.
 */
export async function assertSampleAllowsRun(
  options: RotationOptions,
  job: SampleCheckJob,
  resources: JobResources,
): Promise<number> {
  const progress = new PreflightProgressReporter(
    options.onPreflightProgress,
    options.progressIntervalMs,
  );
  progress.setPhase('checking');
  const diagnosis = await diagnoseSample({
    ...job,
    v2SampleSize: CONFIG_CHECK_SAMPLE,
    v1SampleSize: CONFIG_CHECK_SAMPLE,
    signal: options.signal,
    config: options.openConfig,
    password: resources.passwords[0]!,
    newPasswordInPool: true,
    kdfBackend: options.kdfBackend,
    workers: options.workers,
    listener: progress,
    // A preset's name only explains a refusal that either option waives.
    detectPresets: !options.scanAnyway && !options.skipConfigCheck,
  });
  if (options.onPreflight) {
    const { pool, table } = job;
    const preflight = await preflightResultOf(
      {
        ...job,
        total: job.total ?? 0,
        writeConfig: job.writeConfig ?? options.openConfig,
        signal: options.signal,
        progress,
      },
      { openConfig: options.openConfig, workers: pool.size },
      diagnosis,
    );
    options.onPreflight({ ...preflight, table });
  }
  const { refusal } = diagnosis;
  const overridden =
    refusal === 'wrong-settings'
      ? options.skipConfigCheck
      : // `--resume` with no checkpoint left: a rotation that completed (its exit not seen) looks
        // already rotated; the pass proves it, and the result says "already completed" (exit 0).
        options.scanAnyway || (refusal === 'already-rotated' && options.resume === true);
  if (refusal !== null && !overridden) {
    throw refusalError(diagnosis, { config: options.openConfig, table: job.table });
  }
  return diagnosis.derivations;
}
