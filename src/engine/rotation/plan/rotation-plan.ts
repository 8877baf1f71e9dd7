/**
 * Before a rotation runs: the option checks, the trigger policy, the
 * unfinished rotation to continue (or refuse to discard), and the plan of the
 * run: the vault opened and locked, the records in scope counted, the backup
 * chosen, the pool started and the passwords proven (planRotation).
 */
import { existsSync } from 'node:fs';
import type { Argon2Config } from '../../../core/argon2.js';
import { assertNoDistributedRotation } from '../../distributed/ledger/active.js';
import { EngineError } from '../../errors.js';
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { VaultStore } from '../../storage/types.js';
import { assertBackupPathFree } from './backup-path.js';
import {
  checkpointForResume,
  checkpointPathFor,
  readCheckpoint,
  unfinishedRotationError,
  type CheckpointIdentity,
  type RotationCheckpoint,
} from '../state/checkpoint.js';
import type { JobResources } from '../job/job-resources.js';
import { rotationStateBase } from '../state/state-paths.js';
import { choosePoolSize } from '../job/pool-size.js';
import type { RunProgress } from '../job/progress.js';
import { NO_COUNTS } from '../job/record-counts.js';
import {
  recordScope,
  savedScope,
  scopeAfter,
  scopeFilter,
  type RecordScope,
} from '../job/record-scope.js';
import { CANARY_DERIVATIONS, assertSameRotation, sealCanaries } from '../state/resume-proof.js';
import { SampledResults } from '../checks/sampled-results.js';
import { assertSampleAllowsRun } from '../checks/run-check.js';
import { acquireRotationLock } from '../state/rotation-lock.js';
import { removeStaleTempFiles } from '../state/stale-temp-files.js';
import type { RecordCounts, RotationOptions } from '../types.js';
import { assertPositiveInteger, resolveVaultTable, validateRotationInput } from './validation.js';

// The distributed coordinator plans with the same check.
export { assertSampleAllowsRun };

/** Everything a run needs, decided and proven before it writes anything. */
export interface RotationPlan {
  readonly dryRun: boolean;
  /** the job's clock (options.now: tests) */
  readonly clock: () => Date;
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
  readonly store: VaultStore;
  /** the records to rotate, after the resume cursor (none: a fresh or redone run) */
  readonly scope: RecordScope;
  readonly keyKind: 'rowid' | 'id';
  /** allowed triggers on the table (never listed for a dry run) */
  readonly triggers: readonly string[];
  /** sentences for people so far; the result adds its own */
  readonly notes: string[];
  /** the name the lock, checkpoint and default backup are made from (a file's real path) */
  readonly vaultPath: string;
  readonly checkpointPath: string;
  readonly removedTemporaries: readonly string[];
  /** the unfinished rotation this run continues; null: a fresh start */
  readonly previous: RotationCheckpoint | null;
  /** the counts of the runs before (zero when fresh or redone from the start) */
  readonly base: RecordCounts;
  /** records in scope when the run starts */
  readonly rowsAtStart: number;
  /** null: the store cannot tell whether another program wrote (a server) */
  readonly dataVersionAtStart: number | null;
  readonly backup: BackupPlan;
  readonly pool: CryptoPool;
  /** derivations outside the main pass and the sweep: the settings check, the canaries */
  readonly checkDerivations: number;
  /** null: a dry run, or cancelled before they were sealed (nothing to resume then) */
  readonly canaries: RotationCheckpoint['canaries'] | null;
  /** the check's results the main pass takes instead of deriving again; null: no check ran */
  readonly sampled: SampledResults | null;
  /** ISO time the rotation's first run started */
  readonly startedAt: string;
}

export interface BackupPlan {
  /** take one before the first write */
  readonly wanted: boolean;
  /** the backup of the untouched file an interrupted run took (kept rather than a copy of a half-rotated file) */
  readonly taken: string | null;
  /** the path asked for (checked free), else the default path is chosen at the first write */
  readonly explicitPath: string | null;
  /** a server: the backup as this new table in the same database */
  readonly table: string | null;
}

/** How a table backup is named in the result and the checkpoint (a file backup's path is absolute). */
export const BACKUP_TABLE_PREFIX = 'table:';

/** An interrupted run's backup still there: a file that exists, or a table (the server keeps it). */
function backupStillThere(backup: string | null | undefined): backup is string {
  if (!backup) return false;
  return backup.startsWith(BACKUP_TABLE_PREFIX) || existsSync(backup);
}

/**
 * Validates, opens and locks the vault, settles resume or restart, counts
 * the records in scope, starts the pool, proves the passwords (canaries on
 * resume, the settings check on a fresh run) and seals the canaries.
 * Everything acquired is held by `resources`.
 */
export async function planRotation(
  options: RotationOptions,
  resources: JobResources,
  progress: RunProgress,
): Promise<RotationPlan> {
  const clock = options.now ?? ((): Date => new Date());
  const dryRun = options.dryRun ?? false;
  const openConfig: Argon2Config = options.openConfig;
  const writeConfig: Argon2Config = options.writeConfig ?? options.openConfig;
  checkOptions(options);
  const store = await resources.openStore(options.vaultPath, {
    driver: options.driver,
    readOnly: dryRun,
    busyTimeoutMs: options.busyTimeoutMs,
    serverTimeoutMs: options.serverTimeoutMs,
    nativeBinding: options.nativeBinding,
    serverPassword: options.serverPassword,
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
  if (lock && store.lockForRotation) {
    resources.holdServerLock(await store.lockForRotation(table));
    // ...and a distributed rotation of the table left unfinished by its coordinator.
    await assertNoDistributedRotation(store, table);
  }
  const checkpointPath = checkpointPathFor(
    vaultPath,
    state.server ? undefined : options.checkpointDir,
  );
  const removedTemporaries = dryRun ? [] : removeStaleTempFiles(vaultPath, checkpointPath);
  // One "now" for the whole run, so no record changes category (soft-deleted or not) mid-run.
  const wholeScope = recordScope(table, options, clock());
  const previous = previousRotation(
    options,
    checkpointPath,
    { vaultPath, ...savedScope(wholeScope), openConfig, writeConfig },
    notes,
  );
  const redo = previous?.redoFromStart === true;
  if (redo) {
    notes.push(
      'The interrupted rotation had stopped while re-examining records another program wrote during it; ' +
        'this run re-examined every record from the start.',
    );
  }
  const scope = scopeAfter(wholeScope, redo ? null : (previous?.cursor ?? null));
  const rowsAtStart = await store.countRecords(table, scopeFilter(scope));
  progress.total = rowsAtStart;
  const dataVersionAtStart = await store.dataVersion();

  const wanted =
    !dryRun &&
    (options.backup !== false ||
      options.backupPath !== undefined ||
      options.backupTable !== undefined);
  const taken = backupStillThere(previous?.backupPath) ? previous!.backupPath : null;
  if (options.backupTable !== undefined && !store.backupToTable) {
    throw new EngineError(
      'USAGE',
      `A backup table is for a vault in a database server; ${store.path} is a file. Give a backup ` +
        'file path instead (CLI: --backup PATH).',
    );
  }
  const explicitPath =
    wanted && !taken && options.backupPath !== undefined
      ? assertBackupPathFree(options.backupPath)
      : null;

  if (dryRun) {
    // What the pre-flight said before a dry run: the rotation's refusals, on the read-only connection.
    await store.assertRowsWritable?.(table);
    await assertNoDistributedRotation(store, table);
  }
  const keyKind = await store.keyKind(table);

  const pool = await resources.startPool({
    size: choosePoolSize(options.workers, [openConfig, writeConfig], rowsAtStart),
    openConfig,
    writeConfig,
    kdfBackend: options.kdfBackend,
  });
  let checkDerivations = 0;
  let sampled: SampledResults | null = null;
  // A fresh run's canaries are sealed on the pool beside the check's sample, not after it.
  const sealing = dryRun || previous ? null : sealCanaries(pool);
  // Awaited below; marked handled so a refusal of the check is the error reported.
  sealing?.catch(() => undefined);
  if (previous) {
    // The canaries prove the passwords and the open settings of the interrupted rotation.
    await assertSameRotation({ checkpoint: previous, checkpointPath, store, scope, pool });
    checkDerivations += CANARY_DERIVATIONS;
  } else if (!options.signal?.aborted) {
    // The pre-flight the person sees: its sample is rotated here and taken by the pass.
    sampled = new SampledResults(dryRun ? 'open' : 'rotate');
    checkDerivations += await assertSampleAllowsRun(
      options,
      { store, scope, pool, table, total: rowsAtStart, writeConfig, keep: sampled },
      resources,
    );
  }
  const sealed = (await sealing) ?? null;
  if (sealed) checkDerivations += CANARY_DERIVATIONS;
  // Cancelled before the pass: nothing was written, so nothing is left to resume (no checkpoint).
  const canaries = previous?.canaries ?? (options.signal?.aborted ? null : sealed);
  resources.zeroPasswords();

  // A redone run counts every record itself.
  const base = redo ? NO_COUNTS : (previous?.counts ?? NO_COUNTS);
  const startedAt = previous?.startedAt ?? clock().toISOString();
  return {
    dryRun,
    clock,
    openConfig,
    writeConfig,
    store,
    scope,
    keyKind,
    triggers,
    notes,
    vaultPath,
    checkpointPath,
    removedTemporaries,
    previous,
    base,
    rowsAtStart,
    dataVersionAtStart,
    backup: { wanted, taken, explicitPath, table: options.backupTable ?? null },
    pool,
    checkDerivations,
    canaries,
    sampled,
    startedAt,
  };
}

export function checkOptions(options: RotationOptions): void {
  validateRotationInput(options);
  assertPositiveInteger(options.workers, 'number of workers');
  assertPositiveInteger(options.batchSize, 'batch size');
  if (options.resume && options.dryRun) {
    throw new EngineError(
      'USAGE',
      'A dry run cannot resume a rotation. Drop one of the two options.',
    );
  }
  if (options.resume && options.restart) {
    throw new EngineError(
      'USAGE',
      'Resume continues an unfinished rotation and restart discards it: choose one.',
    );
  }
  if (options.dryRun && (options.backupPath !== undefined || options.backupTable !== undefined)) {
    throw new EngineError(
      'USAGE',
      'A dry run writes nothing, so it takes no backup. Drop the backup path.',
    );
  }
  if (options.backupPath !== undefined && options.backupTable !== undefined) {
    throw new EngineError(
      'USAGE',
      'Choose one backup: a file (backup path) or a table in the database (backup table).',
    );
  }
  if (options.backup === false && options.backupTable !== undefined) {
    throw new EngineError('USAGE', 'A backup table was asked for with the backup turned off.');
  }
  if (
    options.backupTable !== undefined &&
    !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(options.backupTable)
  ) {
    throw new EngineError(
      'USAGE',
      `The backup table name ${JSON.stringify(options.backupTable)} is not a plain table name: use ` +
        'letters, digits and _ (at most 63 characters, not starting with a digit).',
    );
  }
}

/** Triggers would run on every rotated record (copying old values, or undoing the update). */
export async function assertNoTriggers(
  store: VaultStore,
  table: string,
  allowed: boolean,
): Promise<string[]> {
  const triggers = await store.triggersOn(table);
  if (triggers.length > 0 && !allowed) {
    throw new EngineError(
      'TRIGGERS',
      `The table ${JSON.stringify(table)} in ${store.path} has trigger(s) ${triggers.map((t) => JSON.stringify(t)).join(', ')}, ` +
        'which would run on every record the rotation rewrites (an audit trigger can copy each old-password value ' +
        'elsewhere, another can undo the update). Nothing was changed. Review them with your application; to rotate ' +
        'anyway, allow triggers (CLI: --allow-triggers).',
    );
  }
  return triggers;
}

/** The unfinished rotation to continue (resume), or null; refuses to silently discard one. */
export function previousRotation(
  options: RotationOptions,
  checkpointPath: string,
  identity: CheckpointIdentity,
  notes: string[],
): RotationCheckpoint | null {
  if (options.dryRun) return null;
  if (options.resume) {
    const previous = checkpointForResume(checkpointPath, identity);
    if (!previous) {
      notes.push(
        'There was no unfinished rotation to resume, so this run started from the beginning.',
      );
    }
    return previous;
  }
  const unfinished = readCheckpoint(checkpointPath);
  if (unfinished && !options.restart) throw unfinishedRotationError(checkpointPath, unfinished);
  if (unfinished) {
    notes.push(
      `Discarded the unfinished rotation started ${unfinished.startedAt} and started over.`,
    );
  }
  return null;
}
