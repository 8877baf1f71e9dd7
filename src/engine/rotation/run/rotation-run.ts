/**
 * The run of a planned rotation: the first checkpoint, the main pass
 * (pipeline.ts over the records in scope), the coverage proof, and the sweep
 * for records other programs wrote meanwhile (sweep.ts). The checkpoint is
 * rewritten after each commit, after the backup, and before the sweep.
 */
import { formatSqliteDateTime, rotationTag, writeCadenceOf } from '../../storage/index.js';
import { defaultBackupPath } from '../plan/backup-path.js';
import {
  CHECKPOINT_FORMAT,
  writeCheckpoint,
  type RotationCheckpoint,
  type RotationProof,
} from '../state/checkpoint.js';
import { BATCH_MAX_BYTES, MAX_IN_FLIGHT_BYTES, RotationPipeline } from './pipeline.js';
import { windowFor } from '../job/pool-size.js';
import type { RunProgress } from '../job/progress.js';
import { NO_COUNTS, sumCounts, type RecordCounts } from '../job/record-counts.js';
import { RecordReader } from './record-reader.js';
import { savedScope, scopeFilter } from '../job/record-scope.js';
import { PROOF_RECORDS, proofOf } from '../state/resume-proof.js';
import { BACKUP_TABLE_PREFIX, type RotationPlan } from '../plan/rotation-plan.js';
import { assertCovered, assertSweepCovered } from './coverage.js';
import { sweepForeignWrites, type SweepReport } from './sweep.js';
import type { ValueUpdate } from '../../storage/types.js';
import type { RotationCoverage, RotationOptions } from '../types.js';
import { VisitLedger } from './visit-ledger.js';

/** Bytes of values one keyset page may hold (large values: fewer records per page). */
export const PAGE_MAX_BYTES = 16 * 1024 * 1024;

export interface RotationRun {
  readonly pipeline: RotationPipeline;
  /** null: nobody else wrote (or cancelled, or a dry run) */
  readonly sweep: SweepReport | null;
  /** cancelled in the main pass or the sweep */
  readonly stopped: boolean;
  readonly coverage: RotationCoverage;
  readonly backupPath: string | null;
}

export type RunOptions = Pick<RotationOptions, 'batchSize' | 'commitIntervalMs' | 'signal'>;

export async function runRotation(
  plan: RotationPlan,
  options: RunOptions,
  progress: RunProgress,
): Promise<RotationRun> {
  const { store, scope, pool, dryRun, clock } = plan;
  const checkpoint = new RunCheckpoint(plan);
  // Written before any work so a crash at any later moment can be resumed.
  checkpoint.save(scope.afterKey);
  const window = windowFor(pool.size);
  const pageSize = Math.max(16, window * 2);
  const cadence = writeCadenceOf(store.driver);
  const ledger = new VisitLedger(plan.rowsAtStart);
  let pipeline: RotationPipeline | null = null;
  const shared = {
    store,
    scope,
    pool,
    batchSize: options.batchSize ?? cadence.batchSize,
    batchMaxBytes: BATCH_MAX_BYTES,
    maxInFlightBytes: MAX_IN_FLIGHT_BYTES,
    commitIntervalMs: options.commitIntervalMs ?? cadence.commitIntervalMs,
    // Allowed triggers run on every write: check that each record holds what was written.
    readBackWrites: plan.triggers.length > 0,
    window,
    signal: options.signal,
    updatedAt: () => formatSqliteDateTime(clock()),
    beforeFirstWrite: async () => {
      const { backup } = plan;
      if (!backup.wanted || checkpoint.backupPath) return;
      progress.phase('backing-up');
      if (backup.table !== null) {
        // The canaries are sealed before any write: the tag names this rotation in every run of it.
        await store.backupToTable!(scope.table, backup.table, rotationTag(plan.canaries!.old));
        checkpoint.backupPath = `${BACKUP_TABLE_PREFIX}${backup.table}`;
      } else {
        const destination = backup.explicitPath ?? defaultBackupPath(plan.vaultPath, clock());
        await store.backupTo(destination, scope.table);
        checkpoint.backupPath = destination;
      }
      // Same cursor and counts as the last commit: only the backup path is new.
      checkpoint.save(pipeline?.cursor ?? scope.afterKey);
      progress.phase('rotating');
    },
    onWritten: (key: string, newValue: string) => checkpoint.prove(key, newValue),
    onRecord: () => progress.update(),
  };

  const main = new RotationPipeline({
    ...shared,
    records: new RecordReader(store, {
      scope,
      pageSize,
      pageMaxBytes: PAGE_MAX_BYTES,
      keyKind: plan.keyKind,
    }),
    dryRun,
    ledger,
    known: plan.sampled ?? undefined,
    beforeCommit: (updates) => checkpoint.save(pipeline?.cursor ?? scope.afterKey, false, updates),
    writtenEarlier: writtenBy(plan.previous?.redoFromStart ? undefined : plan.previous?.inFlight),
    onCommit: (cursor) => checkpoint.save(cursor),
  });
  pipeline = main;
  checkpoint.follow(main);
  progress.follow(() => main.counts);

  progress.phase('rotating');
  const { cancelled } = await main.run();
  const dataVersionAtStart = plan.dataVersionAtStart;
  const dataVersionAtEnd = await store.dataVersion();
  // A server cannot tell whether another program wrote: the sweep re-reads the table and finds out.
  const versionUnknown = dataVersionAtStart === null || dataVersionAtEnd === null;
  let coverage: RotationCoverage = {
    rowsAtStart: plan.rowsAtStart,
    visited: main.counts.scanned,
    foreignWrites: versionUnknown
      ? dryRun && (await store.countRecords(scope.table, scopeFilter(scope))) !== plan.rowsAtStart
      : dataVersionAtEnd !== dataVersionAtStart,
  };
  if (!cancelled && (!versionUnknown || dryRun)) assertCovered(coverage, scope.table);

  const sweeping = !cancelled && !dryRun && (versionUnknown || coverage.foreignWrites);
  // Killed or cancelled in the sweep, a resume cannot know what this run left: it starts over.
  if (sweeping) checkpoint.save(null, true);
  const sweep = !sweeping
    ? null
    : await sweepForeignWrites({
        ...shared,
        ledger,
        pageSize,
        pageMaxBytes: PAGE_MAX_BYTES,
        dataVersionAtStart: versionUnknown ? null : dataVersionAtStart,
        keyKind: plan.keyKind,
      });
  const stopped = cancelled || (sweep?.cancelled ?? false);
  // Foreign writes or not: every record in scope at the end was read by the last quiet round.
  if (sweep && !stopped) assertSweepCovered(sweep, scope.table);
  if (sweep && versionUnknown) {
    // What the sweep found is the answer: nothing changed means the pass alone covered the table.
    const foreignWrites = sweep.changed + sweep.inserted + sweep.deleted > 0;
    coverage = { ...coverage, foreignWrites };
    if (!stopped && !foreignWrites) assertCovered(coverage, scope.table);
  }
  return { pipeline: main, sweep, stopped, coverage, backupPath: checkpoint.backupPath };
}

/** Whether a record holds what the interrupted run's last batch wrote (its checkpoint's in-flight batch). */
function writtenBy(
  inFlight: readonly RotationProof[] | undefined,
): ((key: string, value: string) => boolean) | undefined {
  if (!inFlight?.length) return undefined;
  const written = new Map(inFlight.map((proof) => [proof.key, proof.sha256]));
  return (key, value) => {
    const sha256 = written.get(key);
    return sha256 !== undefined && proofOf(key, value).sha256 === sha256;
  };
}

/** The run's checkpoint: what it has done as of the cursor, and what a resume must prove. */
class RunCheckpoint {
  /** the backup of this rotation (taken by an earlier run, or by this one at its first write) */
  backupPath: string | null;
  /** a few records this rotation wrote (earlier runs' first) */
  private readonly proof: RotationProof[];
  private committed: () => RecordCounts = () => NO_COUNTS;

  constructor(private readonly plan: RotationPlan) {
    this.backupPath = plan.backup.taken;
    this.proof = [...(plan.previous?.proof ?? [])];
  }

  /** Counts as of the cursor from now on: the main pass's committed ones. */
  follow(pipeline: RotationPipeline): void {
    this.committed = () => pipeline.committed;
  }

  prove(key: string, newValue: string): void {
    if (this.proof.length < PROOF_RECORDS) this.proof.push(proofOf(key, newValue));
  }

  /**
   * Nothing for a dry run or a run cancelled before its canaries were sealed.
   * `inFlight`: the batch about to be committed (counted by a resume if a
   * kill comes between its commit and the next checkpoint).
   */
  save(cursor: string | null, redoFromStart = false, inFlight: readonly ValueUpdate[] = []): void {
    const { plan } = this;
    if (plan.dryRun || !plan.canaries) return;
    const checkpoint: RotationCheckpoint = {
      format: CHECKPOINT_FORMAT,
      version: 2,
      vaultPath: plan.vaultPath,
      ...savedScope(plan.scope),
      cursor,
      keyKind: plan.keyKind,
      canaries: plan.canaries,
      proof: this.proof,
      // counts as of the cursor, not of records accounted for but not yet committed
      counts: sumCounts(plan.base, this.committed()),
      openConfig: plan.openConfig,
      writeConfig: plan.writeConfig,
      backupPath: this.backupPath,
      startedAt: plan.startedAt,
      updatedAt: plan.clock().toISOString(),
      runs: (plan.previous?.runs ?? 0) + 1,
      ...(redoFromStart && { redoFromStart }),
      ...(inFlight.length > 0 && {
        inFlight: inFlight.map((update) => proofOf(update.key, update.newValue)),
      }),
    };
    writeCheckpoint(plan.checkpointPath, checkpoint);
  }
}
