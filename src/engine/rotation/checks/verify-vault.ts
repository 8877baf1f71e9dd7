/**
 * verifyVault: how many records open with a password (all, or a random
 * sample), on the worker pool. A check after a rotation: the new password
 * should open what was rotated, the old one nothing it used to.
 */
import type { VaultRecord, VaultStore } from '../../storage/types.js';
import { JobResources } from '../job/job-resources.js';
import { choosePoolSize, windowFor } from '../job/pool-size.js';
import { ProgressReporter } from '../job/progress.js';
import { RecordReader } from '../run/record-reader.js';
import { recordScope, sampleFilter, scopeFilter, type RecordScope } from '../job/record-scope.js';
import { scanOnPool } from './scan-on-pool.js';
import type {
  CheckPhase,
  RotationPhase,
  RotationProgress,
  VerifyOptions,
  VerifyProgress,
  VerifyResult,
} from '../types.js';
import {
  assertPasswordGiven,
  assertPositiveInteger,
  resolveVaultTable,
  validateArgon2Config,
} from '../plan/validation.js';

const CHECK_PHASE: Record<RotationPhase, CheckPhase> = {
  validating: 'starting',
  'backing-up': 'starting',
  rotating: 'checking',
  finishing: 'checking',
  done: 'done',
  cancelled: 'cancelled',
  failed: 'failed',
};

/**
 * ProgressReporter does the timing and throttling; its counters carry the
 * rotation's names, so they are renamed to VerifyProgress here, in one place.
 */
function verifyProgressOf(progress: RotationProgress): VerifyProgress {
  return {
    phase: CHECK_PHASE[progress.phase],
    total: progress.total,
    checked: progress.scanned,
    opened: progress.rotated,
    notOpened: progress.skipped,
    malformed: progress.failed,
    ratePerSecond: progress.ratePerSecond,
    elapsedMs: progress.elapsedMs,
    etaMs: progress.etaMs,
  };
}

/** Progress: 'starting', then 'checking' (throttled), then 'done', 'cancelled' or 'failed'. */
export async function verifyVault(options: VerifyOptions): Promise<VerifyResult> {
  assertPasswordGiven(options.password, 'the');
  validateArgon2Config(options.config, 'open');
  assertPositiveInteger(options.sampleSize, 'sample size');
  assertPositiveInteger(options.workers, 'number of workers');
  const resources = new JobResources([options.password]);
  const listener = options.onProgress;
  const progress = new ProgressReporter(
    listener && ((event) => listener(verifyProgressOf(event))),
    options.progressIntervalMs,
  );
  const counts = { checked: 0, opened: 0, notOpened: 0, malformed: 0, openedV1: 0 };
  let total = 0;
  const progressCounts = () => ({
    total,
    scanned: counts.checked,
    rotated: counts.opened,
    skipped: counts.notOpened,
    failed: counts.malformed,
    bytes: 0,
  });

  try {
    const store = await resources.openStore(options.vaultPath, {
      driver: options.driver,
      readOnly: true,
      nativeBinding: options.nativeBinding,
      serverPassword: options.serverPassword,
    });
    const table = await resolveVaultTable(store, options.table);
    const scope = recordScope(table, options, new Date());
    const records = await store.countRecords(table, scopeFilter(scope));
    const sampled = options.sampleSize !== undefined && options.sampleSize < records;
    total = sampled ? options.sampleSize! : records;
    const next = sampled
      ? iterate(await store.sampleRecords(table, options.sampleSize!, sampleFilter(scope)))
      : readAll(store, scope, await store.keyKind(table));
    progress.setPhase('validating', progressCounts());

    const pool = await resources.startPool({
      size: choosePoolSize(options.workers, [options.config], total),
      openConfig: options.config,
      kdfBackend: options.kdfBackend,
    });
    resources.zeroPasswords();
    progress.setPhase('rotating', progressCounts());
    const { cancelled } = await scanOnPool({
      pool,
      next,
      taskFor: (record) => ({ op: 'open', value: record.value, password: 0 }),
      onResult: (_record, result) => {
        counts.checked++;
        const { outcome } = result;
        if (outcome.kind === 'opened') {
          counts.opened++;
          if (outcome.version === 'v1') counts.openedV1++;
        } else if (outcome.kind === 'malformed') counts.malformed++;
        else counts.notOpened++;
        progress.update(progressCounts());
      },
      window: windowFor(pool.size),
      signal: options.signal,
    });
    progress.setPhase(cancelled ? 'cancelled' : 'done', progressCounts());
    return { table, ...counts, cancelled };
  } catch (error) {
    progress.setPhase('failed', progressCounts());
    throw error;
  } finally {
    await resources.dispose();
  }
}

function iterate(records: VaultRecord[]): () => VaultRecord | null {
  let index = 0;
  return () => records[index++] ?? null;
}

function readAll(
  store: VaultStore,
  scope: RecordScope,
  keyKind: 'rowid' | 'id',
): () => VaultRecord | null | Promise<VaultRecord | null> {
  const reader = new RecordReader(store, {
    scope,
    keyKind,
    pageSize: 256,
    pageMaxBytes: 16 * 1024 * 1024,
  });
  return () => reader.next();
}
