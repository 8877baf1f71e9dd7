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
import { JobResources } from '../rotation/job-resources.js';
import { choosePoolSize } from '../rotation/pool-size.js';
import { openCanaries } from '../rotation/resume-proof.js';
import { validateRotationInput } from '../rotation/validation.js';
import { scopeFilter } from '../rotation/record-scope.js';
import type { RotationStatus } from '../rotation/types.js';
import { sumShardCounts, type Ledger } from './ledger/ledger.js';
import { planDistributedRotation } from './plan-rotation.js';
import type { OpenShardQueue, QueueSettings, ShardJob, ShardQueue } from './queue-contract.js';
import { shardJobId } from './queue-contract.js';
import { newWorkerId, openTarget, pause, type OpenedTarget } from './target.js';
import type {
  DistributedCrypto,
  DistributedProgress,
  DistributedResult,
  DistributedTarget,
  RotationRow,
  ShardRow,
  WorkerEvent,
  WorkerOutcome,
} from './types.js';
import { judgeRound } from './union-proof.js';
import { serveRotation } from './worker.js';

export interface CoordinateOptions {
  readonly target: DistributedTarget;
  readonly queue: QueueSettings;
  readonly openQueue: OpenShardQueue;
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  readonly crypto: DistributedCrypto;
  /** default: by size, at least 8 per expected worker */
  readonly shards?: number;
  readonly expectedWorkers?: number;
  /** crypto threads of this machine's own worker; 0: none (it only coordinates) */
  readonly localWorkers: number;
  readonly keepLedger?: boolean;
  /** continue the table's cancelled rotation (a running one is re-attached to without asking) */
  readonly resume?: boolean;
  readonly includeSoftDeleted?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DistributedProgress) => void;
  readonly onWorkerEvent?: (event: WorkerEvent) => void;
  /** ms between reads of the ledger (default 250) */
  readonly pollIntervalMs?: number;
  /** ms between progress events at most (default 1000) */
  readonly progressIntervalMs?: number;
  /** ms between checks for jobs the queue lost (default 5000) */
  readonly requeueIntervalMs?: number;
  readonly batchSize?: number;
  readonly commitIntervalMs?: number;
  readonly coordinatorId?: string;
}

/** How often the coordinator notes it is alive (an UPDATE of the rotation row, which batches share-lock). */
const HEARTBEAT_MS = 2000;

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
  };
}

interface Driven {
  readonly status: RotationStatus;
  readonly rotation: RotationRow;
  readonly shards: readonly ShardRow[];
}

/** Drives the rounds until the rotation ends or stops; cancels it when the signal aborts. */
async function drive(
  options: CoordinateOptions,
  opened: OpenedTarget,
  queue: ShardQueue,
  start: RotationRow,
  coordinator: string,
): Promise<Driven> {
  const { ledger, store, table } = opened;
  const poll = options.pollIntervalMs ?? 250;
  let rotation = start;
  let lastProgress = 0;
  let lastRequeue = performance.now();
  let lastHeartbeat = 0;
  await queue.enqueue(jobsOf(rotation, await ledger.shards(rotation.id)));
  for (;;) {
    if (options.signal?.aborted) {
      await ledger.setState(rotation.id, 'cancelled', ['running']);
      await queue.cancel(rotation.id);
    }
    if (performance.now() - lastHeartbeat >= HEARTBEAT_MS) {
      lastHeartbeat = performance.now();
      await ledger.heartbeat(rotation.id, coordinator);
    }
    rotation = (await ledger.rotation(rotation.id))!;
    const shards = await ledger.shards(rotation.id);
    if (rotation.state !== 'running') {
      return { status: 'cancelled', rotation, shards };
    }
    if (
      options.onProgress &&
      performance.now() - lastProgress >= (options.progressIntervalMs ?? 1000)
    ) {
      lastProgress = performance.now();
      const workers = await ledger.workers(rotation.id);
      options.onProgress(progressOf(rotation, shards, workers));
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
      rotation = { ...rotation, round: verdict.round };
      await queue.enqueue(jobsOf(rotation, shards));
      continue;
    }
    if (performance.now() - lastRequeue >= (options.requeueIntervalMs ?? 5000)) {
      lastRequeue = performance.now();
      await requeueLost(queue, rotation, shards);
    }
    await pause(poll, options.signal);
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
        deleted: 0,
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
  validateRotationInput({
    oldPassword: options.oldPassword,
    newPassword: options.newPassword,
    openConfig: options.crypto.openConfig,
    writeConfig: options.crypto.writeConfig,
  });
  const coordinator = options.coordinatorId ?? newWorkerId();
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  const notes: string[] = [];
  let local: Promise<WorkerOutcome> | null = null;
  const stopLocal = new AbortController();
  try {
    const opened = await openTarget(options.target, resources);
    // One coordinator at a time, and no single-machine rotation meanwhile (the same server lock).
    resources.holdServerLock(await opened.store.lockForRotation!(opened.table));
    await opened.ledger.create();
    const start = await rotationToDrive(options, opened, resources, notes, coordinator);
    const queue = await options.openQueue(options.queue);
    try {
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
      const driven = await drive(options, opened, queue, start, coordinator);
      const finished = driven.status === 'completed' || driven.status === 'incomplete';
      if (finished) await opened.ledger.setState(start.id, driven.status, ['running']);
      stopLocal.abort();
      await local?.catch(() => undefined);
      const workers = (await opened.ledger.workers(start.id)).map((worker) => ({
        worker: worker.worker,
        host: worker.host,
        pool: worker.pool,
        backend: worker.backend,
        records: worker.records,
        state: worker.state,
      }));
      const result = resultOf(driven, started, notes, workers);
      if (finished) {
        await opened.ledger.setOutcome(start.id, {
          status: result.status,
          rotated: result.rotated,
        });
        if (!options.keepLedger) await dropLedger(opened.ledger, start.id, notes);
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
    await resources.dispose();
  }
}
