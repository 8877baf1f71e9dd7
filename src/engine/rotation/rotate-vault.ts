/**
 * rotateVault: re-encrypt every record of one vault table that opens with the
 * old password under the new one. Validation, checkpoint/resume, backup and
 * the result around the pipeline (pipeline.ts). Holds nothing thread-bound
 * (no process signals, no stdio), so a shell may run it inside a worker.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Argon2Config } from '../argon2-config.js';
import { EngineError } from '../errors.js';
import { CryptoPool } from '../pool/crypto-pool.js';
import { formatSqliteDateTime, openVault } from '../storage/index.js';
import type { VaultStore } from '../storage/types.js';
import { assertBackupPathFree, defaultBackupPath } from './backup-path.js';
import { acquireRotationLock, type RotationLock } from './rotation-lock.js';
import { removeStaleTempFiles } from './stale-temp-files.js';
import {
  CHECKPOINT_FORMAT,
  absoluteVaultPath,
  checkpointForResume,
  checkpointPathFor,
  deleteCheckpoint,
  writeCheckpoint,
  type CheckpointCounts,
  type RotationCheckpoint,
} from './checkpoint.js';
import { sampleWithNewPassword } from './new-password-sample.js';
import { RotationPipeline, type CommittedCounts } from './pipeline.js';
import { choosePoolSize, windowFor } from './pool-size.js';
import { ProgressReporter, type ProgressCounts } from './progress.js';
import type { RotationOptions, RotationResult, RotationStatus } from './types.js';
import { assertPositiveInteger, resolveVaultTable, validateRotationInput } from './validation.js';

export const DEFAULT_BATCH_SIZE = 64;
/**
 * sql.js rewrites the whole file on every commit (about 0.9 s for 100 MiB),
 * so it commits in larger, rarer batches than better-sqlite3.
 */
const WRITE_CADENCE = {
  'better-sqlite3': { batchSize: DEFAULT_BATCH_SIZE, commitIntervalMs: 2000 },
  'sql.js': { batchSize: 1024, commitIntervalMs: 30_000 },
} as const;

const NO_COUNTS: CheckpointCounts = {
  scanned: 0,
  rotated: 0,
  skipped: 0,
  failed: 0,
  opened: 0,
  bytes: 0,
};

function sumCounts(base: CheckpointCounts, run: CommittedCounts): CheckpointCounts {
  return {
    scanned: base.scanned + run.scanned,
    rotated: base.rotated + run.rotated,
    skipped: base.skipped + run.skipped,
    failed: base.failed + run.failed,
    opened: base.opened + run.opened,
    bytes: base.bytes + run.bytes,
  };
}

function checkOptions(options: RotationOptions): void {
  validateRotationInput(options);
  assertPositiveInteger(options.workers, 'number of workers');
  assertPositiveInteger(options.batchSize, 'batch size');
  if (options.resume && options.dryRun) {
    throw new EngineError(
      'USAGE',
      'A dry run cannot resume a rotation. Drop one of the two options.',
    );
  }
  if (options.dryRun && options.backupPath !== undefined) {
    throw new EngineError(
      'USAGE',
      'A dry run writes nothing, so it takes no backup. Drop the backup path.',
    );
  }
}

export async function rotateVault(options: RotationOptions): Promise<RotationResult> {
  const started = performance.now();
  const clock = options.now ?? ((): Date => new Date());
  const dryRun = options.dryRun ?? false;
  const includeSoftDeleted = options.includeSoftDeleted ?? true;
  const openConfig: Argon2Config = options.openConfig;
  const writeConfig: Argon2Config = options.writeConfig ?? options.openConfig;
  const progress = new ProgressReporter(options.onProgress, options.progressIntervalMs);
  let total = 0;
  let pipeline: RotationPipeline | null = null;
  const runCounts = (): ProgressCounts => ({ total, ...(pipeline?.counts ?? NO_COUNTS) });

  progress.setPhase('validating', runCounts());
  // The engine's own copies: the caller keeps (and zeroes) its buffers.
  const passwords = [new Uint8Array(options.oldPassword), new Uint8Array(options.newPassword)];
  let store: VaultStore | null = null;
  let pool: CryptoPool | null = null;
  let lock: RotationLock | null = null;
  try {
    checkOptions(options);
    store = await openVault(options.vaultPath, {
      driver: options.driver,
      readOnly: dryRun,
      busyTimeoutMs: options.busyTimeoutMs,
      nativeBinding: options.nativeBinding,
    });
    const openStore = store;
    const table = resolveVaultTable(store, options.table);
    const vaultPath = absoluteVaultPath(options.vaultPath);
    // One rotation of a vault at a time: taken before anything is read for resuming or written.
    if (!dryRun) lock = acquireRotationLock(vaultPath, { tool: options.lockTool ?? 'engine' });
    const checkpointPath = checkpointPathFor(vaultPath, options.checkpointDir);
    const removedTemporaries = dryRun ? [] : removeStaleTempFiles(vaultPath, checkpointPath);
    const previous = options.resume
      ? checkpointForResume(checkpointPath, {
          vaultPath,
          table,
          openConfig,
          writeConfig,
          includeSoftDeleted,
        })
      : null;
    const afterId = previous?.cursor ?? null;
    const readNow = clock();
    total = store.countRecords(table, { afterId, includeSoftDeleted, now: readNow });

    const wantBackup = !dryRun && (options.backup !== false || options.backupPath !== undefined);
    // On resume the backup of the untouched file is the one to keep, not a copy of the half-rotated file.
    let backupPath: string | null =
      previous?.backupPath && existsSync(previous.backupPath) ? previous.backupPath : null;
    const explicitBackup =
      wantBackup && !backupPath && options.backupPath !== undefined
        ? assertBackupPathFree(options.backupPath)
        : null;

    const base = previous?.counts ?? NO_COUNTS;
    const startedAt = previous?.startedAt ?? clock().toISOString();
    const saveCheckpoint = (cursor: string | null): void => {
      if (dryRun) return;
      const checkpoint: RotationCheckpoint = {
        format: CHECKPOINT_FORMAT,
        version: 1,
        vaultPath,
        table,
        cursor,
        // counts as of the cursor, not of records accounted for but not yet committed
        counts: sumCounts(base, pipeline?.committed ?? NO_COUNTS),
        openConfig,
        writeConfig,
        includeSoftDeleted,
        backupPath,
        startedAt,
        updatedAt: clock().toISOString(),
        runs: (previous?.runs ?? 0) + 1,
      };
      writeCheckpoint(checkpointPath, checkpoint);
    };
    const workers = choosePoolSize(options.workers, [openConfig, writeConfig], total);
    pool = await CryptoPool.start({
      size: workers,
      passwords,
      openConfig,
      writeConfig,
      kdfBackend: options.kdfBackend,
    });
    for (const password of passwords) password.fill(0);
    // Written before any work so a crash at any later moment can be resumed.
    saveCheckpoint(afterId);
    const window = windowFor(pool.size);

    pipeline = new RotationPipeline({
      store,
      table,
      pool,
      afterId,
      includeSoftDeleted,
      readNow,
      dryRun,
      batchSize: options.batchSize ?? WRITE_CADENCE[store.driver].batchSize,
      commitIntervalMs: WRITE_CADENCE[store.driver].commitIntervalMs,
      window,
      pageSize: Math.max(16, window * 2),
      signal: options.signal,
      updatedAt: () => formatSqliteDateTime(clock()),
      beforeFirstWrite: async () => {
        if (!wantBackup || backupPath) return;
        progress.setPhase('backing-up', runCounts());
        const destination = explicitBackup ?? defaultBackupPath(vaultPath, clock());
        await openStore.backupTo(destination);
        backupPath = destination;
        saveCheckpoint(afterId);
        progress.setPhase('rotating', runCounts());
      },
      onCommit: (cursor) => saveCheckpoint(cursor),
      onRecord: () => progress.update(runCounts()),
    });

    progress.setPhase('rotating', runCounts());
    const { cancelled } = await pipeline.run();
    progress.setPhase('finishing', runCounts());

    const counts = sumCounts(base, pipeline.counts);
    const status: RotationStatus = cancelled
      ? 'cancelled'
      : counts.opened === 0 && counts.skipped > 0
        ? 'nothing-opened'
        : 'completed';
    if (!dryRun && !cancelled) deleteCheckpoint(checkpointPath);
    // Nothing opened: tell "already rotated" (e.g. a run killed before it reported) from "wrong password".
    const newPasswordSample =
      status === 'nothing-opened' && !dryRun
        ? await sampleWithNewPassword({ store, table, pool, includeSoftDeleted, readNow })
        : null;

    const notes: string[] = lock?.note ? [lock.note] : [];
    if (removedTemporaries.length > 0) {
      notes.push(
        `Removed ${removedTemporaries.length} temporary file(s) an interrupted run had left: ` +
          `${removedTemporaries.map((path) => basename(path)).join(', ')}.`,
      );
    }
    if (dryRun) {
      notes.push(
        'Dry run: nothing was written and no backup was taken. Records that would rotate were opened but not ' +
          're-encrypted, which saves one Argon2id derivation each; the real rotation needs one more per record.',
      );
    }
    if (!includeSoftDeleted) {
      notes.push(
        'Soft-deleted records were left as they were: any of them under the old password still opens with it.',
      );
    }
    const result: RotationResult = {
      status,
      table,
      dryRun,
      scanned: counts.scanned,
      rotated: counts.rotated,
      skipped: counts.skipped,
      failed: counts.failed,
      failures: pipeline.failures,
      seconds: (performance.now() - started) / 1000,
      backupPath,
      checkpointPath: cancelled && !dryRun ? checkpointPath : null,
      derivations: pipeline.counts.derivations + (newPasswordSample?.derivations ?? 0),
      derivationsDiscarded: pipeline.counts.derivationsDiscarded,
      opened: counts.opened,
      resumed: previous !== null,
      workers: pool.size,
      kdfBackend: pool.backend,
      driver: store.driver,
      notes,
      ...(newPasswordSample && {
        newPasswordSample: { sampled: newPasswordSample.sampled, opened: newPasswordSample.opened },
      }),
    };
    progress.setPhase(cancelled ? 'cancelled' : 'done', runCounts());
    return result;
  } catch (error) {
    try {
      progress.setPhase('failed', runCounts());
    } catch {
      // the job's own error is the one to report
    }
    throw error;
  } finally {
    for (const password of passwords) password.fill(0);
    // After a failure, tasks still in flight need not finish: each worker stops after its current derivation.
    pool?.abort();
    await pool?.close();
    store?.close();
    lock?.release();
  }
}
