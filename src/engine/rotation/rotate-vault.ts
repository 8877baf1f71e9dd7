/**
 * rotateVault: re-encrypt every record of one vault table that opens with the
 * old password under the new one. Validation, checkpoint/resume, backup, the
 * sweep for other programs' writes and the coverage proof around the pipeline
 * (pipeline.ts). Holds nothing thread-bound (no process signals, no stdio), so
 * a shell may run it inside a worker.
 */
import { existsSync } from 'node:fs';
import type { Argon2Config } from '../argon2-config.js';
import { formatSqliteDateTime, vaultDriver, writeCadenceOf } from '../storage/index.js';
import { assertBackupPathFree, defaultBackupPath } from './backup-path.js';
import { acquireRotationLock } from './rotation-lock.js';
import { rotationStateBase } from './local-state.js';
import { JobResources } from './job-resources.js';
import { removeStaleTempFiles } from './stale-temp-files.js';
import {
  CHECKPOINT_FORMAT,
  checkpointPathFor,
  deleteCheckpoint,
  writeCheckpoint,
  type RotationCheckpoint,
  type RotationProof,
} from './checkpoint.js';
import { sampleWithNewPassword } from './new-password-sample.js';
import { assertSettingsOpenV2BeforeRun } from './open-config-check.js';
import { BATCH_MAX_BYTES, MAX_IN_FLIGHT_BYTES, RotationPipeline } from './pipeline.js';
import { choosePoolSize, windowFor } from './pool-size.js';
import { ProgressReporter, type ProgressCounts } from './progress.js';
import { RecordReader } from './record-reader.js';
import {
  CANARY_DERIVATIONS,
  PROOF_RECORDS,
  assertSameRotation,
  proofOf,
  sealCanaries,
} from './resume-proof.js';
import { sweepForeignWrites } from './sweep.js';
import type { RotationCoverage, RotationOptions, RotationResult } from './types.js';
import { assertNoTriggers, checkOptions, previousRotation } from './rotation-plan.js';
import {
  NO_COUNTS,
  assertCovered,
  closingNotes,
  rotationStatus,
  sumCounts,
  sweepSummary,
} from './rotation-result.js';
import { resolveVaultTable } from './validation.js';
import { VisitLedger } from './visit-ledger.js';

/** The default driver's batch size (each driver declares its own write cadence). */
export const DEFAULT_BATCH_SIZE = vaultDriver('better-sqlite3').writeCadence.batchSize;

/** Records sampled (v2; half as many v1) to check the Argon2id settings before a fresh rotation. */
const CONFIG_CHECK_SAMPLE = 16;

/** Bytes of values one keyset page may hold (large values: fewer records per page). */
export const PAGE_MAX_BYTES = 16 * 1024 * 1024;

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
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  const passwords = resources.passwords;
  try {
    checkOptions(options);
    const store = await resources.openStore(options.vaultPath, {
      driver: options.driver,
      readOnly: dryRun,
      busyTimeoutMs: options.busyTimeoutMs,
      nativeBinding: options.nativeBinding,
      ...(options.serverPassword && { serverPassword: options.serverPassword }),
    });
    const table = await resolveVaultTable(store, options.table);
    await store.assertPageable(table);
    const triggers = dryRun
      ? []
      : await assertNoTriggers(store, table, options.allowTriggers ?? false);
    const notes: string[] = [];
    // A file's own path; for a server table, a name in the state folder (lock, checkpoint, backup).
    const state = rotationStateBase(options.vaultPath, table, options.checkpointDir);
    const vaultPath = state.base;
    // One rotation of a vault at a time: taken before anything is read for resuming or written.
    const lock = dryRun
      ? null
      : resources.hold(acquireRotationLock(vaultPath, { tool: options.lockTool ?? 'engine' }));
    if (lock?.note) notes.push(lock.note);
    // A server is shared by many machines: its own lock keeps a rotation from elsewhere out too.
    if (lock && store.lockForRotation) resources.holdServerLock(await store.lockForRotation(table));
    const checkpointPath = checkpointPathFor(
      vaultPath,
      state.server ? undefined : options.checkpointDir,
    );
    const removedTemporaries = dryRun ? [] : removeStaleTempFiles(vaultPath, checkpointPath);
    const previous = previousRotation(
      options,
      checkpointPath,
      { vaultPath, table, openConfig, writeConfig, includeSoftDeleted },
      notes,
    );
    const redo = previous?.redoFromStart === true;
    if (redo) {
      notes.push(
        'The interrupted rotation had stopped while re-examining records another program wrote during it; ' +
          'this run re-examined every record from the start.',
      );
    }
    const afterKey = redo ? null : (previous?.cursor ?? null);
    // One "now" for the whole run, so no record changes category (soft-deleted or not) mid-run.
    const readNow = clock();
    const filter = { includeSoftDeleted, now: readNow };
    total = await store.countRecords(table, { ...filter, afterKey });
    const dataVersionAtStart = await store.dataVersion();

    const wantBackup = !dryRun && (options.backup !== false || options.backupPath !== undefined);
    // On resume the backup of the untouched file is the one to keep, not a copy of the half-rotated file.
    let backupPath: string | null =
      previous?.backupPath && existsSync(previous.backupPath) ? previous.backupPath : null;
    const explicitBackup =
      wantBackup && !backupPath && options.backupPath !== undefined
        ? assertBackupPathFree(options.backupPath)
        : null;

    const workers = choosePoolSize(options.workers, [openConfig, writeConfig], total);
    const pool = await resources.startPool({
      size: workers,
      openConfig,
      writeConfig,
      kdfBackend: options.kdfBackend,
    });
    // Derivations outside the main pass and the sweep: the settings check, the canaries.
    let checkDerivations = 0;
    if (previous) {
      // The canaries prove the passwords and the open settings of the interrupted rotation.
      await assertSameRotation({ checkpoint: previous, checkpointPath, store, table, pool });
      checkDerivations += CANARY_DERIVATIONS;
    } else if (!options.skipConfigCheck && !options.signal?.aborted) {
      checkDerivations += await assertSettingsOpenV2BeforeRun({
        store,
        table,
        pool,
        ...filter,
        v2SampleSize: CONFIG_CHECK_SAMPLE,
        v1SampleSize: CONFIG_CHECK_SAMPLE / 2,
        signal: options.signal,
        config: openConfig,
        password: passwords[0]!,
        kdfBackend: options.kdfBackend,
      });
    }
    resources.zeroPasswords();

    // A redone run counts every record itself.
    const base = redo ? NO_COUNTS : (previous?.counts ?? NO_COUNTS);
    const startedAt = previous?.startedAt ?? clock().toISOString();
    const canaries = dryRun ? null : (previous?.canaries ?? (await sealCanaries(pool)));
    if (canaries && !previous) checkDerivations += CANARY_DERIVATIONS;
    const proof: RotationProof[] = [...(previous?.proof ?? [])];
    const keyKind = await store.keyKind(table);
    const saveCheckpoint = (cursor: string | null, redoFromStart = false): void => {
      if (dryRun || !canaries) return;
      const checkpoint: RotationCheckpoint = {
        format: CHECKPOINT_FORMAT,
        version: 2,
        vaultPath,
        table,
        cursor,
        keyKind,
        canaries,
        proof,
        // counts as of the cursor, not of records accounted for but not yet committed
        counts: sumCounts(base, pipeline?.committed ?? NO_COUNTS),
        openConfig,
        writeConfig,
        includeSoftDeleted,
        backupPath,
        startedAt,
        updatedAt: clock().toISOString(),
        runs: (previous?.runs ?? 0) + 1,
        ...(redoFromStart && { redoFromStart }),
      };
      writeCheckpoint(checkpointPath, checkpoint);
    };
    // Written before any work so a crash at any later moment can be resumed.
    saveCheckpoint(afterKey);
    const window = windowFor(pool.size);
    const pageSize = Math.max(16, window * 2);
    const cadence = writeCadenceOf(store.driver);
    const ledger = new VisitLedger();
    const shared = {
      store,
      table,
      pool,
      batchSize: options.batchSize ?? cadence.batchSize,
      batchMaxBytes: BATCH_MAX_BYTES,
      maxInFlightBytes: MAX_IN_FLIGHT_BYTES,
      commitIntervalMs: options.commitIntervalMs ?? cadence.commitIntervalMs,
      // Allowed triggers run on every write: check that each record holds what was written.
      readBackWrites: triggers.length > 0,
      window,
      signal: options.signal,
      updatedAt: () => formatSqliteDateTime(clock()),
      beforeFirstWrite: async () => {
        if (!wantBackup || backupPath) return;
        progress.setPhase('backing-up', runCounts());
        const destination = explicitBackup ?? defaultBackupPath(vaultPath, clock());
        await store.backupTo(destination, table);
        backupPath = destination;
        // Same cursor and counts as the last commit: only the backup path is new.
        saveCheckpoint(pipeline?.cursor ?? afterKey);
        progress.setPhase('rotating', runCounts());
      },
      onWritten: (key: string, newValue: string) => {
        if (proof.length < PROOF_RECORDS) proof.push(proofOf(key, newValue));
      },
      onRecord: () => progress.update(runCounts()),
    };

    pipeline = new RotationPipeline({
      ...shared,
      records: new RecordReader(store, {
        table,
        afterKey,
        ...filter,
        pageSize,
        pageMaxBytes: PAGE_MAX_BYTES,
        keyKind,
      }),
      afterKey,
      dryRun,
      ledger,
      onCommit: (cursor) => saveCheckpoint(cursor),
    });

    progress.setPhase('rotating', runCounts());
    const { cancelled } = await pipeline.run();
    const dataVersionAtEnd = await store.dataVersion();
    // A server cannot tell whether another program wrote: the sweep re-reads the table and finds out.
    const versionUnknown = dataVersionAtStart === null || dataVersionAtEnd === null;
    let coverage: RotationCoverage = {
      rowsAtStart: total,
      visited: pipeline.counts.scanned,
      foreignWrites: versionUnknown
        ? dryRun && (await store.countRecords(table, { ...filter, afterKey })) !== total
        : dataVersionAtEnd !== dataVersionAtStart,
    };
    if (!cancelled && (!versionUnknown || dryRun)) assertCovered(coverage, table);

    const sweeping = !cancelled && !dryRun && (versionUnknown || coverage.foreignWrites);
    // Killed or cancelled in the sweep, a resume cannot know what this run left: it starts over.
    if (sweeping) saveCheckpoint(null, true);
    const sweep = !sweeping
      ? null
      : await sweepForeignWrites({
          ...shared,
          ledger,
          ...filter,
          pageSize,
          pageMaxBytes: PAGE_MAX_BYTES,
          dataVersionAtStart: versionUnknown ? null : dataVersionAtStart,
          keyKind,
        });
    const stopped = cancelled || (sweep?.cancelled ?? false);
    if (sweep && versionUnknown) {
      // What the sweep found is the answer: nothing changed means the pass alone covered the table.
      const foreignWrites = sweep.changed + sweep.inserted + sweep.deleted > 0;
      coverage = { ...coverage, foreignWrites };
      if (!stopped && !foreignWrites) assertCovered(coverage, table);
    }
    progress.setPhase('finishing', runCounts());

    // Records lost to another program's write in the main pass were re-examined by the sweep.
    const mainFailures = sweep
      ? pipeline.failures.filter((failure) => failure.reason !== 'changed-concurrently')
      : pipeline.failures;
    const failures = [...mainFailures, ...(sweep?.failures ?? [])];
    const thisRun = {
      scanned: pipeline.counts.scanned,
      rotated: pipeline.counts.rotated + (sweep?.rotated ?? 0),
      skipped: pipeline.counts.skipped,
      failed: sweep
        ? pipeline.counts.failed - pipeline.counts.changedConcurrently + sweep.failed
        : pipeline.counts.failed,
      opened: pipeline.counts.opened + (sweep?.opened ?? 0),
    };
    const counts = sumCounts(base, { ...thisRun, bytes: pipeline.counts.bytes });
    const status = rotationStatus({
      stopped,
      stillWriting: sweep?.stillWriting ?? false,
      undoneWrites: pipeline.counts.undoneWrites,
      opened: counts.opened,
      skippedThisRun: thisRun.skipped,
    });
    if (!dryRun && !stopped) deleteCheckpoint(checkpointPath);
    // Nothing opened: tell "already rotated" (e.g. a run killed before it reported) from "wrong password".
    const newPasswordSample =
      status === 'nothing-opened' && !dryRun
        ? await sampleWithNewPassword({
            store,
            table,
            pool,
            includeSoftDeleted,
            readNow,
          })
        : null;

    notes.push(
      ...closingNotes({
        removedTemporaries,
        dryRun,
        includeSoftDeleted,
        triggers,
        undoneWrites: pipeline.counts.undoneWrites,
        stillWriting: sweep?.stillWriting ?? false,
      }),
    );
    const result: RotationResult = {
      status,
      table,
      dryRun,
      scanned: counts.scanned,
      rotated: counts.rotated,
      skipped: counts.skipped,
      failed: counts.failed,
      failures,
      seconds: (performance.now() - started) / 1000,
      backupPath,
      // A run cancelled before its first checkpoint (no canaries yet) left nothing to resume.
      checkpointPath: stopped && !dryRun && canaries ? checkpointPath : null,
      derivations:
        pipeline.counts.derivations +
        (sweep?.derivations ?? 0) +
        (newPasswordSample?.derivations ?? 0),
      derivationsDiscarded: pipeline.counts.derivationsDiscarded,
      checkDerivations,
      opened: counts.opened,
      resumed: previous !== null,
      thisRun,
      coverage,
      ...(sweep && { sweep: sweepSummary(sweep) }),
      ...(triggers.length > 0 && { triggers }),
      workers: pool.size,
      kdfBackend: pool.backend,
      driver: store.driver,
      notes,
      ...(newPasswordSample && {
        newPasswordSample: { sampled: newPasswordSample.sampled, opened: newPasswordSample.opened },
      }),
    };
    progress.setPhase(stopped ? 'cancelled' : 'done', runCounts());
    return result;
  } catch (error) {
    try {
      progress.setPhase('failed', runCounts());
    } catch {
      // the job's own error is the one to report
    }
    throw error;
  } finally {
    await resources.dispose();
  }
}
