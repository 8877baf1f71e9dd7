/**
 * preflightRotation: tests the old password on small random samples of v2 and
 * v1 records (apart: v1 values do not use the Argon2id settings) before
 * committing to a long job, says whether the rotation may start (and if not,
 * why: sample-diagnosis.ts, the same decision the run itself makes), and
 * estimates its duration from the derivation times measured here:
 * (tests + writes) x time per derivation / pool size.
 */
import type { VaultStore } from '../../storage/types.js';
import { sameArgon2Config } from '../plan/argon2-spec.js';
import type { OldPasswordSampleDetails } from './open-config-check.js';
import { JobResources } from '../job/job-resources.js';
import { choosePoolSize } from '../job/pool-size.js';
import { DEFAULT_PROGRESS_INTERVAL_MS } from '../job/progress.js';
import {
  diagnoseSample,
  type DiagnosisListener,
  type SampleDiagnosis,
} from './sample-diagnosis.js';
import type { Argon2Config } from '../../../core/argon2.js';
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { PreflightOptions, PreflightProgress, PreflightResult } from '../types.js';
import { recordScope, scopeFilter, type RecordScope } from '../job/record-scope.js';
import { assertNoDistributedRotation } from '../../distributed/ledger/active.js';
import {
  assertPasswordGiven,
  assertPositiveInteger,
  resolveVaultTable,
  validateArgon2Config,
} from '../plan/validation.js';

export const DEFAULT_PREFLIGHT_SAMPLE = 16;

type Counts = Pick<PreflightProgress, 'toSample' | 'sampled' | 'opened' | 'malformed'>;

/**
 * Pre-flight progress: phase changes go out at once, work done at most once
 * per interval. Each phase reports its own work (stepDone of stepTotal), so a
 * bar moves while presets are tried after the sample is complete.
 */
export class PreflightProgressReporter implements DiagnosisListener {
  private readonly startedAt = performance.now();
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private phase: PreflightProgress['phase'] = 'starting';
  private counts: Counts = { toSample: 0, sampled: 0, opened: 0, malformed: 0 };
  private done = 0;
  private total = 0;

  constructor(
    private readonly listener: ((progress: PreflightProgress) => void) | undefined,
    private readonly intervalMs = DEFAULT_PROGRESS_INTERVAL_MS,
  ) {}

  setPhase(phase: PreflightProgress['phase'], stepTotal = 0): void {
    this.phase = phase;
    this.done = 0;
    this.total = stepTotal;
    this.send();
  }

  sampleQueued(records: number): void {
    this.counts = { ...this.counts, toSample: this.counts.toSample + records };
    this.total = this.counts.toSample;
    this.send();
  }

  sampleTested(outcome: string): void {
    const { toSample, sampled, opened, malformed } = this.counts;
    this.counts = {
      toSample,
      sampled: sampled + 1,
      opened: opened + (outcome === 'opened' ? 1 : 0),
      malformed: malformed + (outcome === 'malformed' ? 1 : 0),
    };
    this.done = this.counts.sampled;
    this.sendThrottled();
  }

  step(phase: 'testing-new-password' | 'detecting-preset', total: number): void {
    this.setPhase(phase, total);
  }

  stepDone(): void {
    this.done = Math.min(this.done + 1, this.total);
    this.sendThrottled();
  }

  private sendThrottled(): void {
    if (performance.now() - this.lastSentAt >= this.intervalMs) this.send();
  }

  private send(): void {
    if (!this.listener) return;
    const now = performance.now();
    this.lastSentAt = now;
    this.listener({
      phase: this.phase,
      ...this.counts,
      stepDone: this.done,
      stepTotal: this.total,
      elapsedMs: Math.round(now - this.startedAt),
    });
  }
}

export async function preflightRotation(options: PreflightOptions): Promise<PreflightResult> {
  assertPasswordGiven(options.oldPassword, 'old');
  validateArgon2Config(options.openConfig, 'open');
  const writeConfig = options.writeConfig ?? options.openConfig;
  validateArgon2Config(writeConfig, 'write');
  assertPositiveInteger(options.sampleSize, 'sample size');
  assertPositiveInteger(options.workers, 'number of workers');
  const sampleSize = options.sampleSize ?? DEFAULT_PREFLIGHT_SAMPLE;
  // The old password is kept until preset detection is over (each trial pool copies it).
  const resources = new JobResources(
    options.newPassword ? [options.oldPassword, options.newPassword] : [options.oldPassword],
  );
  const password = resources.passwords[0]!;
  const newPassword = resources.passwords[1] ?? null;
  const progress = new PreflightProgressReporter(options.onProgress, options.progressIntervalMs);

  try {
    progress.setPhase('starting');
    const store = await resources.openStore(options.vaultPath, {
      driver: options.driver,
      readOnly: true,
      nativeBinding: options.nativeBinding,
      serverPassword: options.serverPassword,
    });
    const table = await resolveVaultTable(store, options.table);
    // What the rotation would refuse before its first write, said now (read-only connection).
    await store.assertRowsWritable?.(table);
    // Before the sample: during a distributed rotation it would only say "already rotated".
    await assertNoDistributedRotation(store, table);
    const scope = recordScope(table, options, new Date());
    const total = await store.countRecords(table, scopeFilter(scope));
    const rotationWorkers = choosePoolSize(
      options.workers,
      [options.openConfig, writeConfig],
      total,
    );
    // The rotation's concurrency, so the measured times include the same contention.
    const pool = await resources.startPool({
      size: Math.min(rotationWorkers, sampleSize),
      openConfig: options.openConfig,
      writeConfig,
      kdfBackend: options.kdfBackend,
    });
    newPassword?.fill(0);
    progress.setPhase('checking');

    const diagnosis = await diagnoseSample({
      store,
      scope,
      pool,
      v2SampleSize: sampleSize,
      signal: options.signal,
      config: options.openConfig,
      password,
      newPasswordInPool: newPassword !== null,
      kdfBackend: options.kdfBackend,
      workers: options.workers,
      listener: progress,
    });
    password.fill(0);
    return await preflightResultOf(
      { store, scope, total, pool, table, writeConfig, signal: options.signal, progress },
      { openConfig: options.openConfig, workers: rotationWorkers },
      diagnosis,
    );
  } catch (error) {
    progress.setPhase('failed');
    throw error;
  } finally {
    await resources.dispose();
  }
}

export interface PreflightJob {
  readonly store: VaultStore;
  readonly scope: RecordScope;
  /** records in scope */
  readonly total: number;
  readonly pool: CryptoPool;
  readonly table: string;
  readonly writeConfig: Argon2Config;
  readonly signal: AbortSignal | undefined;
  readonly progress: PreflightProgressReporter;
}

/**
 * What the check found, as the pre-flight tells it (the pre-flight job's and
 * the rotation's own check alike): the sample's counts, the refusal if any,
 * and the estimate of the whole rotation from the derivation times measured
 * (one write derivation timed when the sample wrote none and the write
 * settings differ). Ends the progress with 'done' or 'cancelled'.
 */
export async function preflightResultOf(
  job: PreflightJob,
  settings: { readonly openConfig: Argon2Config; readonly workers: number },
  diagnosis: SampleDiagnosis,
): Promise<PreflightResult> {
  const { store, scope, total, pool, progress } = job;
  const { sample, refusal, newPasswordSample, suggestedPreset } = diagnosis;
  let cancelled = diagnosis.cancelled;
  const msPerOpen = sample.derivations > 0 ? sample.deriveMs / sample.derivations : 0;
  const opened = sample.v2.opened + sample.v1.opened;
  let msPerWrite = sample.writes > 0 ? sample.writeDeriveMs / sample.writes : msPerOpen;
  const needWriteTiming =
    opened > 0 &&
    sample.writes === 0 &&
    (msPerOpen === 0 || !sameArgon2Config(settings.openConfig, job.writeConfig));
  if (needWriteTiming && !cancelled) {
    progress.setPhase('timing', 1);
    const probe = await pool.run({ op: 'probe-write' });
    msPerWrite = probe.writeDeriveMs;
    progress.stepDone();
    cancelled ||= job.signal?.aborted === true;
  }
  const { tests, writes } = await estimateWork(store, scope, total, sample);
  progress.setPhase(cancelled ? 'cancelled' : 'done');
  return {
    table: job.table,
    total,
    sampled: sample.v2.sampled + sample.v1.sampled,
    opened,
    malformed: sample.v2.malformed + sample.v1.malformed,
    v2: sample.v2,
    v1: sample.v1,
    canRotate: refusal === null,
    ...(refusal ? { refusal } : {}),
    ...(suggestedPreset ? { suggestedPreset } : {}),
    ...(newPasswordSample ? { newPasswordSample } : {}),
    estimatedSeconds: (tests * msPerOpen + writes * msPerWrite) / settings.workers / 1000,
    estimatedDerivations: Math.round(tests + writes),
    msPerDerivation: msPerOpen,
    workers: settings.workers,
    kdfBackend: pool.backend,
    cancelled,
  };
}

/**
 * Derivations the whole rotation needs: one test per v2 record that is not
 * malformed, one write per record that opens. The table's v2/v1 shares come
 * from info() (whole table), scaled to the records the rotation reads.
 */
async function estimateWork(
  store: VaultStore,
  scope: RecordScope,
  total: number,
  sample: OldPasswordSampleDetails,
): Promise<{ tests: number; writes: number }> {
  const counts = (await store.info(scope.now)).tables.find((info) => info.name === scope.table);
  if (!counts || counts.records === 0) return { tests: 0, writes: 0 };
  const scale = total / counts.records;
  const rate = (count: number, of: number): number => (of > 0 ? count / of : 0);
  const v2Records = counts.v2 * scale;
  const v1Records = counts.v1 * scale;
  const { v2, v1 } = sample;
  return {
    tests: v2Records * rate(v2.sampled - v2.malformed, v2.sampled),
    writes: v2Records * rate(v2.opened, v2.sampled) + v1Records * rate(v1.opened, v1.sampled),
  };
}
