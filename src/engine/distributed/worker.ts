/**
 * A worker of a distributed rotation (serveRotation): waits for the table's
 * rotation in the ledger, proves its passwords on the rotation's canaries
 * before it claims anything (PASSWORDS_REFUSED otherwise), then runs the
 * shard jobs the queue hands it until the rotation is no longer running
 * (finished, cancelled) or its signal asks it to leave (the current batch
 * commits first). The vault and the passwords are this machine's own: a job
 * only names a rotation, a round and a shard.
 */
import { WORKER_STATE } from '../../core/distributed.js';
import { EngineError } from '../errors.js';
import { CryptoPool } from '../pool/crypto-pool.js';
import { JobResources } from '../rotation/job/job-resources.js';
import { openCanaries } from '../rotation/state/resume-proof.js';
import { assertPasswordGiven } from '../rotation/plan/validation.js';
import type { Argon2BackendPreference } from '../kdf/types.js';
import { openShardQueue, type ShardJob } from './queue/index.js';
import type { DistributedRunOptions } from './coordinator-options.js';
import { namedQueue } from './queue-name.js';
import { runShard } from './shard-run.js';
import { TargetConnection } from './connection.js';
import { newWorkerId, pause } from './target.js';
import type { LedgerState, RotationRow, WorkerEvent, WorkerOutcome } from './types.js';

/** How often a worker reads the rotation's state (cancel reaches it within about this). */
export const WORKER_POLL_MS = 500;

export interface ServeRotationOptions extends DistributedRunOptions {
  /** crypto threads of this worker */
  readonly workers: number;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  readonly onEvent?: ((event: WorkerEvent) => void) | undefined;
  readonly workerId?: string | undefined;
  /** stop waiting when no rotation is running (default: wait for one) */
  readonly exitWhenIdle?: boolean | undefined;
}

/** The rotation of the table the worker serves, once one is running (the database may be restarting). */
async function waitForRotation(
  control: TargetConnection,
  options: ServeRotationOptions,
): Promise<RotationRow | null> {
  let told = false;
  while (!options.signal?.aborted) {
    const found = await control.attempt(async ({ ledger, table }) => ({
      rotation: (await ledger.exists()) ? await ledger.activeRotation(table) : null,
    }));
    if (found?.rotation?.state === 'running') return found.rotation;
    if (found && options.exitWhenIdle) return null;
    if (!told) options.onEvent?.({ type: 'waiting' });
    told = true;
    await pause(options.pollIntervalMs ?? WORKER_POLL_MS, options.signal);
  }
  return null;
}

/** Refuses before any claim when a password does not open its canary (a typo, or another rotation's). */
async function provePasswords(pool: CryptoPool, rotation: RotationRow): Promise<void> {
  const { old, fresh } = await openCanaries(pool, rotation.canaries);
  if (old === 'opened' && fresh === 'opened') return;
  const which =
    old !== 'opened' && fresh !== 'opened'
      ? 'old and new passwords'
      : old !== 'opened'
        ? 'old password'
        : 'new password';
  throw new EngineError(
    'PASSWORDS_REFUSED',
    `This worker's ${which} ${which.endsWith('s') ? 'are' : 'is'} not the one(s) the rotation of the table ` +
      `${JSON.stringify(rotation.table)} was started with (its canaries do not open), so it claimed no work ` +
      'and wrote nothing. Give the worker the same passwords as the rotation (check the files or ' +
      'environment variables it reads), then start it again.',
  );
}

export async function serveRotation(options: ServeRotationOptions): Promise<WorkerOutcome> {
  assertPasswordGiven(options.oldPassword, 'old');
  assertPasswordGiven(options.newPassword, 'new');
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  const workerId = options.workerId ?? newWorkerId();
  const poll = options.pollIntervalMs ?? WORKER_POLL_MS;
  // Two connections: the state reads and heartbeats, and the shard runs' batches.
  const control = new TargetConnection(options.target);
  const work = new TargetConnection(options.target);
  let pool: CryptoPool | null = null;
  try {
    // The first connection must succeed: a wrong URL or login is the caller's to fix now.
    const { table } = await control.get();
    const queueSettings = namedQueue(options.queue, options.target.vaultPath, table);
    const rotation = await waitForRotation(control, options);
    if (!rotation) return { rotation: null, state: null, shardsRun: 0, records: 0 };
    const startPool = (): Promise<CryptoPool> =>
      CryptoPool.start({
        size: Math.max(1, options.workers),
        passwords: resources.passwords,
        openConfig: rotation.openConfig,
        writeConfig: rotation.writeConfig,
        kdfBackend: options.kdfBackend,
      });
    pool = await startPool();
    let shardsRun = 0;
    let records = 0;
    const since = { at: performance.now(), records: 0 };
    const register = (state: string): Promise<unknown> =>
      control.attempt(({ ledger }) =>
        ledger.registerWorker(rotation.id, {
          worker: workerId,
          host: workerId.split(':')[0]!,
          pool: pool?.size ?? 0,
          backend: pool?.backend ?? 'unknown',
          state,
          records,
          rate: ((records - since.records) * 1000) / Math.max(1, performance.now() - since.at),
        }),
      );
    try {
      await provePasswords(pool, rotation);
    } catch (error) {
      // In the ledger too: the coordinator's screen shows why this machine does no work.
      await register(WORKER_STATE.refused).catch(() => undefined);
      throw error;
    }
    options.onEvent?.({ type: 'joined', rotation: rotation.id, worker: workerId });
    await register(WORKER_STATE.working);
    /** Resolves once the shard's round is done there; throws when the run stopped before (the queue retries). */
    const handler = async (job: ShardJob, signal: AbortSignal): Promise<void> => {
      // A job of another rotation (an old one's leftover) is not this worker's to run.
      if (job.rotation !== rotation.id) return;
      if (!pool || pool.aborted) {
        await pool?.close();
        pool = await startPool();
      }
      const running = pool;
      // A run that did not finish leaves tasks in the pool: stopped, so the next job starts a fresh one.
      const report = await work
        .attempt(async ({ store, ledger, table }) =>
          runShard({
            store,
            ledger,
            rotation,
            job,
            owner: workerId,
            pool: running,
            keyKind: await store.keyKind(table),
            signal,
            batchSize: options.batchSize,
            commitIntervalMs: options.commitIntervalMs,
            onCommitted: (committed) => (records += committed),
            // The row's count follows each shard, not only each poll: written before the shard is
            // done, so the coordinator's result never lists it behind. Only a status row: its
            // failure does not fail the shard.
            beforeFinish: () => register(WORKER_STATE.working).catch(() => undefined),
          }),
        )
        .catch((error: unknown) => {
          running.abort();
          throw error;
        });
      if (report?.outcome !== 'done' && report?.outcome !== 'skipped') running.abort();
      if (!report) {
        // The connection broke: a new one serves the retry (the batch in flight was rolled back).
        throw new EngineError(
          'CONNECTION_LOST',
          'The connection to the vault broke during the shard.',
        );
      }
      if (report.outcome !== 'skipped') shardsRun++;
      options.onEvent?.({
        type: 'shard',
        shard: job.shard,
        phase: job.phase,
        round: job.round,
        outcome: report.outcome,
        scanned: report.scanned,
      });
      if (report.outcome === 'stopped') {
        throw new EngineError('INTERNAL', 'The shard run stopped before the end of its range.');
      }
      if (report.outcome === 'fenced') {
        // Another run holds the shard now (or the rotation stopped): its work is not this job's to finish.
        throw new EngineError('ROTATION_IN_PROGRESS', 'Fenced out of the shard by a later claim.');
      }
    };
    const queue = await (options.openQueue ?? openShardQueue)(queueSettings);
    let state: LedgerState | 'finished' | null = 'running';
    try {
      const served = queue.serve(handler, { concurrency: 1, workerId });
      try {
        // The ledger's state reaches this worker within a poll: cancel, or the end of the rotation.
        const readState = (): Promise<LedgerState | 'finished' | null> =>
          control.attempt(({ ledger }) => ledger.state(rotation.id));
        while (!options.signal?.aborted) {
          await pause(poll, options.signal);
          state = (await readState()) ?? state;
          if (state !== 'running') break;
          try {
            await register(WORKER_STATE.working);
          } catch (error) {
            // The rotation ended (its ledger dropped) between the state read and this write.
            const now = await readState().catch(() => null);
            if (now === null || now === 'running') throw error;
            state = now;
            break;
          }
          since.at = performance.now();
          since.records = records;
        }
      } finally {
        // Stops the job in hand (its last batch commits, or is fenced out) and hands it back to the queue.
        await served.close();
      }
    } finally {
      await queue.close();
    }
    await register(WORKER_STATE.left).catch(() => undefined);
    if (options.signal?.aborted && state === 'running') state = null;
    options.onEvent?.({ type: 'left', state });
    return { rotation: rotation.id, state, shardsRun, records };
  } finally {
    try {
      await pool?.close();
    } finally {
      await Promise.all([control.drop(), work.drop()]);
      await resources.dispose();
    }
  }
}
