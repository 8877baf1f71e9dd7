/**
 * coordinateRotation: plans a distributed rotation (or re-attaches to the
 * table's unfinished one from the ledger: a coordinator may die without
 * losing it), enqueues one job per shard and round, serves shards itself
 * unless told not to, and drives the rounds from the ledger: after the
 * pass, sweep rounds until one finds nothing new (at most 5), then the
 * union coverage proof and the result. It holds the table's server lock
 * throughout: one coordinator at a time, and no single-machine rotation
 * meanwhile. Jobs Redis lost are enqueued again (their ids are
 * deterministic, so a job still there is not doubled).
 */
import { EngineError } from '../errors.js';
import type { CryptoPool } from '../pool/crypto-pool.js';
import { JobResources } from '../rotation/job/job-resources.js';
import { choosePoolSize } from '../rotation/job/pool-size.js';
import { describeArgon2Config, sameArgon2Config } from '../rotation/plan/argon2-spec.js';
import { openCanaries } from '../rotation/state/resume-proof.js';
import { scopeFilter } from '../rotation/job/record-scope.js';
import { assertBackupPathFree } from '../rotation/plan/backup-path.js';
import { BACKUP_TABLE_PREFIX, checkOptions } from '../rotation/plan/rotation-plan.js';
import { rotationTag } from '../storage/index.js';
import type { RotationStatus } from '../rotation/types.js';
import { failingShards, sumShardCounts, type Ledger } from './ledger/ledger.js';
import { planDistributedRotation } from './plan-rotation.js';
import { openShardQueue, shardJobId } from './queue/index.js';
import type { QueueSettings, ShardJob, ShardQueue } from './queue/index.js';
import { MAX_CONNECTION_FAILURES, TargetConnection } from './connection.js';
import { newWorkerId, pause, type OpenedTarget } from './target.js';
import type {
  DistributedCrypto,
  DistributedProgress,
  DistributedResult,
  DistributedTarget,
  OpenShardQueue,
  RotationRow,
  ShardRow,
  WorkerEvent,
  WorkerOutcome,
  WorkerRow,
  WorkerSummary,
} from './types.js';
import { judgeRound } from './union-proof.js';
import { serveRotation } from './worker.js';

export interface CoordinateOptions {
  readonly target: DistributedTarget;
  readonly queue: QueueSettings;
  /** default openShardQueue (BullMQ on Redis) */
  readonly openQueue?: OpenShardQueue | undefined;
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  readonly crypto: DistributedCrypto;
  /** default: by size, at least 8 per expected worker */
  readonly shards?: number | undefined;
  readonly expectedWorkers?: number | undefined;
  /** crypto threads of this machine's own worker; 0: none (it only coordinates) */
  readonly localWorkers: number;
  readonly keepLedger?: boolean | undefined;
  /** a backup of the table before any record is written: a new table in the same database... */
  readonly backupTable?: string | undefined;
  /** ...or a SQLite file on this machine (absent both: no backup) */
  readonly backupPath?: string | undefined;
  /** continue the table's cancelled rotation (a running one is re-attached to without asking) */
  readonly resume?: boolean | undefined;
  readonly includeSoftDeleted?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: DistributedProgress) => void) | undefined;
  readonly onWorkerEvent?: ((event: WorkerEvent) => void) | undefined;
  /** ms between reads of the ledger (default 250) */
  readonly pollIntervalMs?: number | undefined;
  /** ms between progress events at most (default 1000) */
  readonly progressIntervalMs?: number | undefined;
  /** ms between checks for jobs the queue lost (default 5000) */
  readonly requeueIntervalMs?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly commitIntervalMs?: number | undefined;
  readonly coordinatorId?: string | undefined;
}

/** How often the coordinator notes it is alive (an UPDATE of the rotation row, which batches share-lock). */
const HEARTBEAT_MS = 2000;

/** Between attempts to reach the database again. */
const RECONNECT_PAUSE_MS = 1000;

/** The jobs of a round for the shards that have not finished it. */
function jobsOf(rotation: RotationRow, shards: readonly ShardRow[]): ShardJob[] {
  return shards
    .filter((shard) => !(shard.round === rotation.round && shard.done))
    .map((shard) => ({
      rotation: rotation.id,
      phase: rotation.round === 0 ? ('pass' as const) : ('sweep' as const),
      round: rotation.round,
      shard: shard.shard,
    }));
}

/** The rotation to drive: the table's unfinished one (re-attached), or a new one planned now. */
async function rotationToDrive(
  options: CoordinateOptions,
  opened: OpenedTarget,
  resources: JobResources,
  notes: string[],
  coordinator: string,
): Promise<RotationRow> {
  const { ledger, store, table } = opened;
  const existing = await ledger.activeRotation(table);
  const size = choosePoolSize(
    Math.max(1, options.localWorkers),
    [options.crypto.openConfig, options.crypto.writeConfig ?? options.crypto.openConfig],
    existing ? 2 : Number.MAX_SAFE_INTEGER,
  );
  const config = existing ?? {
    openConfig: options.crypto.openConfig,
    writeConfig: options.crypto.writeConfig ?? options.crypto.openConfig,
  };
  const pool = await resources.startPool({
    size,
    openConfig: config.openConfig,
    writeConfig: config.writeConfig,
    kdfBackend: options.crypto.kdfBackend,
  });
  try {
    if (existing) return await reattach(options, ledger, existing, pool, notes);
    if (options.resume) {
      notes.push(
        'There was no unfinished distributed rotation to resume, so this one started from the beginning.',
      );
    }
    return await planDistributedRotation({
      store,
      ledger,
      table,
      pool,
      resources,
      crypto: options.crypto,
      includeSoftDeleted: options.includeSoftDeleted,
      shards: options.shards,
      expectedWorkers: options.expectedWorkers,
      coordinator,
      signal: options.signal,
    });
  } finally {
    // The local worker starts its own pool: no threads kept idle here.
    await pool.close();
  }
}

async function reattach(
  options: CoordinateOptions,
  ledger: Ledger,
  existing: RotationRow,
  pool: CryptoPool,
  notes: string[],
): Promise<RotationRow> {
  const given = {
    open: options.crypto.openConfig,
    write: options.crypto.writeConfig ?? options.crypto.openConfig,
  };
  if (
    !sameArgon2Config(given.open, existing.openConfig) ||
    !sameArgon2Config(given.write, existing.writeConfig)
  ) {
    throw new EngineError(
      'CHECKPOINT',
      `The unfinished distributed rotation of the table ${JSON.stringify(existing.table)} opens with ` +
        `${describeArgon2Config(existing.openConfig)} and writes with ${describeArgon2Config(existing.writeConfig)}, ` +
        'not the settings given now: nothing was changed. Continue it with the settings it was started with.',
    );
  }
  if (existing.state === 'cancelled' && !options.resume) {
    throw new EngineError(
      'UNFINISHED_ROTATION',
      `A distributed rotation of the table ${JSON.stringify(existing.table)} was cancelled and can be ` +
        'resumed: nothing was changed now. Resume it (CLI: rotate --queue ... --resume) with the same ' +
        'passwords, or check it with the status command.',
    );
  }
  const { old, fresh } = await openCanaries(pool, existing.canaries);
  if (old !== 'opened' || fresh !== 'opened') {
    throw new EngineError(
      'PASSWORDS_REFUSED',
      `The ${old !== 'opened' ? 'old' : 'new'} password given now is not the one the unfinished distributed ` +
        `rotation of the table ${JSON.stringify(existing.table)} was started with (its canaries do not open), ` +
        'so it was not continued and nothing was written. Give the same passwords as when it started.',
    );
  }
  if (existing.state === 'cancelled') await ledger.setState(existing.id, 'running', ['cancelled']);
  notes.push(
    existing.state === 'cancelled'
      ? 'Resumed the cancelled distributed rotation from the ledger (batches committed before are kept).'
      : 'Took over the unfinished distributed rotation from the ledger (its coordinator had stopped).',
  );
  return (await ledger.rotation(existing.id))!;
}

/**
 * The backup asked for, before the first job is enqueued, so that it holds
 * the table as it was. A rotation taken over after its shards began has
 * written records already: then only a complete backup table of this same
 * rotation (its tag) is kept, and none is made.
 */
async function takeBackup(
  options: CoordinateOptions,
  { store, ledger, table }: OpenedTarget,
  rotation: RotationRow,
  notes: string[],
): Promise<string | null> {
  if (options.backupTable === undefined && options.backupPath === undefined) return null;
  const started = (await ledger.shards(rotation.id)).some((shard) => shard.epoch > 0);
  if (started && options.backupPath !== undefined) {
    notes.push(
      'No backup was taken: the rotation had written records before this coordinator took it over.',
    );
    return null;
  }
  if (options.backupTable !== undefined) {
    if (!store.backupToTable)
      throw new EngineError('INTERNAL', 'This store cannot back up to a table.');
    // Kept when this rotation's complete copy exists; never replaces another table.
    if (!started)
      await store.backupToTable(table, options.backupTable, rotationTag(rotation.canaries.old));
    else notes.push('The backup table is the one taken when the rotation started (if it was).');
    return `${BACKUP_TABLE_PREFIX}${options.backupTable}`;
  }
  await store.backupTo(assertBackupPathFree(options.backupPath!), table);
  return options.backupPath!;
}

/** Throttled progress, read from the ledger. */
function progressOf(
  rotation: RotationRow,
  shards: readonly ShardRow[],
  workers: DistributedProgress['workers'],
): DistributedProgress {
  const counts = sumShardCounts(shards);
  return {
    rotation: rotation.id,
    phase: rotation.round === 0 ? 'pass' : 'sweep',
    round: rotation.round,
    total: rotation.rowsAtStart,
    scanned: counts.scanned,
    rotated: counts.rotated + counts.sweepRotated,
    skipped: counts.skipped,
    failed: counts.failed + counts.sweepFailed,
    shards: shards.length,
    shardsDone: shards.filter((shard) => shard.round === rotation.round && shard.done).length,
    workers,
    failing: failingShards(shards),
  };
}

interface Driven {
  readonly status: 'completed' | 'incomplete' | 'cancelled';
  readonly rotation: RotationRow;
  readonly shards: readonly ShardRow[];
}

/** Runs `work` on the connection until it gets through (a broken connection is opened again). */
async function persistently<T>(
  connection: TargetConnection,
  work: (opened: OpenedTarget) => Promise<T>,
  poll: number,
): Promise<T> {
  for (;;) {
    const done = await connection.attempt(async (opened) => ({ value: await work(opened) }));
    if (done) return done.value;
    await pause(poll);
  }
}

/**
 * Drives the rounds until the rotation ends or stops; cancels it when the
 * signal aborts. Each step reads the ledger afresh, so a step lost with its
 * connection is simply taken again on a new one.
 */
async function drive(
  options: CoordinateOptions,
  connection: TargetConnection,
  queue: ShardQueue,
  start: RotationRow,
  coordinator: string,
): Promise<Driven> {
  const poll = options.pollIntervalMs ?? 250;
  const clock = { progress: 0, requeue: performance.now(), heartbeat: 0 };
  let enqueued = false;
  let queueFailures = 0;
  /**
   * A queue operation that may fail while Redis restarts: the ledger keeps
   * the truth, and what did not reach the queue is enqueued again by the
   * check for lost jobs. Many failures in a row end the coordinator.
   */
  const tolerant = async (work: () => Promise<void>): Promise<boolean> => {
    try {
      await work();
      queueFailures = 0;
      return true;
    } catch (error) {
      if (++queueFailures >= MAX_CONNECTION_FAILURES) throw error;
      return false;
    }
  };
  const step = async ({ ledger, store, table }: OpenedTarget): Promise<Driven | 'again'> => {
    if (!enqueued) {
      const jobs = jobsOf(start, await ledger.shards(start.id));
      await tolerant(() => queue.enqueue(jobs));
      enqueued = true;
    }
    if (options.signal?.aborted) await ledger.setState(start.id, 'cancelled', ['running']);
    if (performance.now() - clock.heartbeat >= HEARTBEAT_MS) {
      clock.heartbeat = performance.now();
      await ledger.heartbeat(start.id, coordinator);
    }
    const rotation = (await ledger.rotation(start.id))!;
    const shards = await ledger.shards(rotation.id);
    if (rotation.state !== 'running') {
      // Cancelled (here or by the cancel command): jobs still waiting are dropped, running ones stopped.
      await tolerant(() => queue.cancel(rotation.id));
      return { status: 'cancelled', rotation, shards };
    }
    const progressEvery = options.progressIntervalMs ?? 1000;
    if (options.onProgress && performance.now() - clock.progress >= progressEvery) {
      clock.progress = performance.now();
      options.onProgress(progressOf(rotation, shards, await ledger.workers(rotation.id)));
    }
    const verdict = await judgeRound(rotation, shards, () =>
      store.countRecords(
        table,
        scopeFilter({
          table,
          includeSoftDeleted: rotation.includeSoftDeleted,
          now: rotation.now,
          afterKey: null,
        }),
      ),
    );
    if (verdict.kind === 'finish') return { status: verdict.status, rotation, shards };
    if (verdict.kind === 'next') {
      await ledger.setRound(rotation.id, verdict.round);
      await tolerant(() => queue.enqueue(jobsOf({ ...rotation, round: verdict.round }, shards)));
      return 'again';
    }
    if (performance.now() - clock.requeue >= (options.requeueIntervalMs ?? 5000)) {
      clock.requeue = performance.now();
      await tolerant(() => requeueLost(queue, rotation, shards));
    }
    await pause(poll, options.signal);
    return 'again';
  };
  for (;;) {
    const driven = await connection.attempt(step);
    if (driven !== null && driven !== 'again') return driven;
    // A broken connection: the next step opens a new one (and takes the lock again).
    if (driven === null) await pause(RECONNECT_PAUSE_MS);
  }
}

/** Jobs of unfinished shards Redis no longer holds (lost with its data, or failed for good): enqueued again. */
async function requeueLost(
  queue: ShardQueue,
  rotation: RotationRow,
  shards: readonly ShardRow[],
): Promise<void> {
  const held = new Set((await queue.held(rotation.id)).map(shardJobId));
  const lost = jobsOf(rotation, shards).filter((job) => !held.has(shardJobId(job)));
  if (lost.length > 0) await queue.enqueue(lost);
}

function summaryOf(worker: WorkerRow): WorkerSummary {
  const { worker: id, host, pool, backend, records, state } = worker;
  return { worker: id, host, pool, backend, records, state };
}

function resultOf(
  driven: Driven,
  started: number,
  notes: readonly string[],
  workers: DistributedResult['distributed']['workers'],
): DistributedResult {
  const { rotation, shards } = driven;
  const counts = sumShardCounts(shards);
  const rotated = counts.rotated + counts.sweepRotated;
  const opened = counts.opened;
  const status: RotationStatus =
    driven.status === 'completed' && rotated === 0 && opened === 0
      ? 'nothing-opened'
      : driven.status;
  const sweepRounds = Math.max(0, rotation.round);
  return {
    status,
    table: rotation.table,
    dryRun: false,
    scanned: counts.scanned,
    rotated,
    skipped: counts.skipped,
    failed: counts.failed + counts.sweepFailed,
    // Record ids are not kept in the ledger's counts: the count is exact, the list empty.
    failures: [],
    seconds: (performance.now() - started) / 1000,
    backupPath: null,
    checkpointPath: null,
    derivations: counts.derivations,
    opened,
    coverage: {
      rowsAtStart: rotation.rowsAtStart,
      visited: counts.scanned,
      foreignWrites: shards.some((shard) => shard.roundFound > 0) || counts.sweepExamined > 0,
    },
    ...(sweepRounds > 0 && {
      sweep: {
        rounds: sweepRounds,
        examined: counts.sweepExamined,
        changed: shards.reduce((sum, shard) => sum + shard.roundFound, 0),
        inserted: 0,
        deleted: shards.reduce((sum, shard) => sum + shard.roundDeleted, 0),
        rotated: counts.sweepRotated,
        stillWriting: driven.status === 'incomplete',
      },
    }),
    notes,
    distributed: { rotation: rotation.id, shards: shards.length, sweepRounds, workers },
  };
}

/** The rotation's rows (and the tables, when no other rotation uses them); a failure only leaves them. */
async function dropLedger(ledger: Ledger, rotation: string, notes: string[]): Promise<void> {
  try {
    await ledger.dropIfUnused(rotation);
  } catch (error) {
    notes.push(
      `The ledger tables were kept (dropping them failed: ${error instanceof Error ? error.message : String(error)}); ` +
        'they hold no secret and may be dropped by hand (vsa_rotation, vsa_shard, vsa_visit, vsa_worker).',
    );
  }
}

export async function coordinateRotation(options: CoordinateOptions): Promise<DistributedResult> {
  const started = performance.now();
  // The single-machine checks of passwords, settings, batch size and backup options.
  checkOptions({
    vaultPath: options.target.vaultPath,
    oldPassword: options.oldPassword,
    newPassword: options.newPassword,
    openConfig: options.crypto.openConfig,
    writeConfig: options.crypto.writeConfig,
    batchSize: options.batchSize,
    backupTable: options.backupTable,
    backupPath: options.backupPath,
  });
  const coordinator = options.coordinatorId ?? newWorkerId();
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  const notes: string[] = [];
  let local: Promise<WorkerOutcome> | null = null;
  const stopLocal = new AbortController();
  // Each connection first takes the table's server lock: one coordinator at a time, and no
  // single-machine rotation meanwhile (the same lock); closing the connection releases it.
  const connection = new TargetConnection(options.target, async (opened) => {
    await opened.store.lockForRotation!(opened.table);
    await opened.ledger.create();
  });
  try {
    const opened = await connection.get();
    // Reached before anything is planned: a queue that does not answer leaves the ledger untouched.
    const queue = await (options.openQueue ?? openShardQueue)(options.queue);
    try {
      const start = await rotationToDrive(options, opened, resources, notes, coordinator);
      const backupPath = await takeBackup(options, opened, start, notes);
      if (options.localWorkers > 0) {
        local = serveRotation({
          target: options.target,
          queue: options.queue,
          openQueue: options.openQueue,
          oldPassword: resources.passwords[0]!,
          newPassword: resources.passwords[1]!,
          workers: options.localWorkers,
          kdfBackend: options.crypto.kdfBackend,
          signal: stopLocal.signal,
          onEvent: options.onWorkerEvent,
          workerId: `${coordinator}:local`,
          batchSize: options.batchSize,
          commitIntervalMs: options.commitIntervalMs,
        });
        // Its failure (e.g. its pool) is reported once the rotation is driven; others may still finish it.
        local.catch(() => undefined);
      }
      const driven = await drive(options, connection, queue, start, coordinator);
      const { status } = driven;
      const finished = status !== 'cancelled';
      const poll = options.pollIntervalMs ?? 250;
      if (finished) {
        await persistently(
          connection,
          ({ ledger }) => ledger.setState(start.id, status, ['running']),
          poll,
        );
      }
      stopLocal.abort();
      await local?.catch(() => undefined);
      const workers = await persistently(
        connection,
        ({ ledger }) => ledger.workers(start.id),
        poll,
      );
      const result = { ...resultOf(driven, started, notes, workers.map(summaryOf)), backupPath };
      if (finished) {
        await persistently(
          connection,
          async ({ ledger }) => {
            await ledger.setOutcome(start.id, { status: result.status, rotated: result.rotated });
            if (!options.keepLedger) await dropLedger(ledger, start.id, notes);
          },
          poll,
        );
      } else {
        notes.push(
          'Cancelled: batches committed so far are kept. Resume it later (CLI: rotate --queue ... --resume).',
        );
      }
      return result;
    } finally {
      await queue.close();
    }
  } finally {
    stopLocal.abort();
    await local?.catch(() => undefined);
    await connection.drop();
    await resources.dispose();
  }
}
