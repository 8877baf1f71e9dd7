/**
 * A worker of a distributed rotation (serveRotation): waits for the table's
 * rotation in the ledger, proves its passwords on the rotation's canaries
 * before it claims anything (PASSWORDS_REFUSED otherwise), then runs the
 * shard jobs the queue hands it until the rotation is no longer running
 * (finished, cancelled) or its signal asks it to leave (the current batch
 * commits first). The vault and the passwords are this machine's own: a job
 * only names a rotation, a round and a shard.
 */
import { EngineError } from '../errors.js';
import { CryptoPool } from '../pool/crypto-pool.js';
import { JobResources } from '../rotation/job-resources.js';
import { openCanaries } from '../rotation/resume-proof.js';
import { assertPasswordGiven } from '../rotation/validation.js';
import type { Argon2BackendPreference } from '../kdf/types.js';
import type { Ledger } from './ledger/ledger.js';
import type { OpenShardQueue, QueueSettings, ShardJob } from './queue-contract.js';
import { runShard } from './shard-run.js';
import { newWorkerId, openTarget, pause, type OpenedTarget } from './target.js';
import type {
  DistributedTarget,
  LedgerState,
  RotationRow,
  WorkerEvent,
  WorkerOutcome,
} from './types.js';

/** How often a worker reads the rotation's state (cancel reaches it within about this). */
export const WORKER_POLL_MS = 500;

export interface ServeRotationOptions {
  readonly target: DistributedTarget;
  readonly queue: QueueSettings;
  readonly openQueue: OpenShardQueue;
  /** UTF-8 bytes; the engine copies them and zeroes its copies when the worker leaves */
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  /** crypto threads of this worker */
  readonly workers: number;
  readonly kdfBackend?: Argon2BackendPreference;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: WorkerEvent) => void;
  readonly workerId?: string;
  /** ms between reads of the rotation's state (default WORKER_POLL_MS) */
  readonly pollIntervalMs?: number;
  readonly batchSize?: number;
  readonly commitIntervalMs?: number;
  /** stop waiting when no rotation is running (default: wait for one) */
  readonly exitWhenIdle?: boolean;
}

/** The rotation of the table the worker serves, once one is running. */
async function waitForRotation(
  ledger: Ledger,
  table: string,
  options: ServeRotationOptions,
): Promise<RotationRow | null> {
  let told = false;
  while (!options.signal?.aborted) {
    const rotation = (await ledger.exists()) ? await ledger.activeRotation(table) : null;
    if (rotation?.state === 'running') return rotation;
    if (options.exitWhenIdle) return null;
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
  let work: OpenedTarget | null = null;
  let pool: CryptoPool | null = null;
  try {
    const control = await openTarget(options.target, resources);
    const rotation = await waitForRotation(control.ledger, control.table, options);
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
    await provePasswords(pool, rotation);
    // A second connection: the shard runs' batches, apart from the state reads and heartbeats.
    work = await openTarget(options.target);
    const keyKind = await work.store.keyKind(work.table);
    options.onEvent?.({ type: 'joined', rotation: rotation.id, worker: workerId });

    const leave = new AbortController();
    const stop = options.signal ? AbortSignal.any([options.signal, leave.signal]) : leave.signal;
    let shardsRun = 0;
    let records = 0;
    const since = { at: performance.now(), records: 0 };
    const register = (state: string): Promise<void> =>
      control.ledger.registerWorker(rotation.id, {
        worker: workerId,
        host: workerId.split(':')[0]!,
        pool: pool?.size ?? 0,
        backend: pool?.backend ?? 'unknown',
        state,
        records,
        rate: ((records - since.records) * 1000) / Math.max(1, performance.now() - since.at),
      });
    await register('working');
    const opened = work;
    const handler = async (job: ShardJob, signal: AbortSignal): Promise<void> => {
      // A job of another rotation (an old one's leftover) is not this worker's to run.
      if (job.rotation !== rotation.id || stop.aborted) return;
      if (!pool || pool.aborted) {
        await pool?.close();
        pool = await startPool();
      }
      const report = await runShard({
        store: opened.store,
        ledger: opened.ledger,
        rotation,
        job,
        owner: workerId,
        pool,
        keyKind,
        signal: AbortSignal.any([signal, stop]),
        batchSize: options.batchSize,
        commitIntervalMs: options.commitIntervalMs,
        onRecord: () => records++,
      });
      if (report.outcome !== 'skipped') shardsRun++;
      options.onEvent?.({
        type: 'shard',
        shard: job.shard,
        phase: job.phase,
        round: job.round,
        outcome: report.outcome,
        scanned: report.scanned,
      });
    };
    const queue = await options.openQueue(options.queue);
    let state: LedgerState | 'finished' | null = 'running';
    try {
      const served = queue.serve(handler, { concurrency: 1, workerId });
      try {
        // The ledger's state reaches this worker within a poll: cancel, or the end of the rotation.
        while (!stop.aborted) {
          await pause(options.pollIntervalMs ?? WORKER_POLL_MS, stop);
          state = await control.ledger.state(rotation.id);
          if (state !== 'running') leave.abort();
          else await register('working');
          since.at = performance.now();
          since.records = records;
        }
      } finally {
        // Finishes the job in hand (its pipeline stops, the last batch commits or is fenced out).
        leave.abort();
        await served.close();
      }
    } finally {
      await queue.close();
    }
    await register('left').catch(() => undefined);
    if (options.signal?.aborted && state === 'running') state = null;
    options.onEvent?.({ type: 'left', state });
    return { rotation: rotation.id, state, shardsRun, records };
  } finally {
    try {
      await pool?.close();
      await work?.store.close();
    } finally {
      await resources.dispose();
    }
  }
}
