/**
 * The app as a distributed rotation's coordinator (issue 19), for the main
 * tests: a real VaultService behind main's own IPC router (sender check, the
 * contract's validation), on the vault table of a real PostgreSQL server, a
 * private Redis, and `worker` processes of the built CLI started with their
 * passwords in files (the reliability suite's cluster).
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { VaultService } from '../../../src/main/host/vault-service.js';
import type {
  DistributedRotationRequest,
  IpcMethodName,
  IpcResult,
  JobEvent,
  QueueConnectionRequest,
  VaultSummary,
} from '../../../src/shared/ipc-contract.js';
import { NEW_PASSWORD, OLD_PASSWORD } from '../../support/passwords.js';
import { redisUrl } from '../../support/redis.js';
import type { RunningCli } from '../../support/cli.js';
import type { Cluster } from '../../reliability/distributed/support/cluster.js';
import { EventLog } from './events.js';
import { ipcCaller, postgresForm } from './ipc-caller.js';

export interface AppCoordinator {
  readonly service: VaultService;
  readonly log: EventLog;
  readonly dataDir: string;
  /** every answer of `call`, as text (searched for passwords) */
  readonly answers: string[];
  /** an IPC call as the page makes it */
  call<M extends IpcMethodName>(method: M, ...args: unknown[]): Promise<IpcResult<unknown>>;
  /** the same, its success value (or a thrown error naming the failure) */
  value<T>(method: IpcMethodName, ...args: unknown[]): Promise<T>;
  /** the vault opened by connectDatabase, and the table as the app lists it */
  connect(): Promise<{ handle: string; table: string }>;
  dispose(): Promise<void>;
}

/** The "Use other machines too" queue of the form: the cluster's Redis, its password typed. */
export function queueForm(cluster: Cluster): QueueConnectionRequest {
  return { url: redisUrl(cluster.redis.info), caFile: null, password: cluster.redis.info.password };
}

export function distributedRequest(
  vault: string,
  table: string,
  cluster: Cluster,
  overrides: Partial<DistributedRotationRequest> = {},
): DistributedRotationRequest {
  return {
    vault,
    table,
    oldPassword: OLD_PASSWORD,
    newPassword: NEW_PASSWORD,
    crypto: { preset: 'tiny' },
    includeSoftDeleted: true,
    backup: false,
    resume: false,
    queue: queueForm(cluster),
    workHere: false,
    ...overrides,
  };
}

export function startAppCoordinator(cluster: Cluster, dir: string): AppCoordinator {
  const dataDir = join(dir, 'app-data');
  // One pool worker when it works too: the machine is shared.
  const service = new VaultService({ dataDir, workers: 1, checkpointDir: join(dir, 'state') });
  const log = new EventLog(service);
  const { answers, call } = ipcCaller(service);
  const value = async <T>(method: IpcMethodName, ...args: unknown[]): Promise<T> => {
    const answer = await call(method, ...args);
    if (!answer.ok) throw new Error(`${method}: ${answer.error.code}: ${answer.error.message}`);
    return answer.value as T;
  };
  return {
    service,
    log,
    dataDir,
    answers,
    call,
    value,
    async connect() {
      const summary = await value<VaultSummary>('connectDatabase', postgresForm(cluster.db));
      expect(summary.tables.map((table) => table.name)).toEqual(['public.vault']);
      return { handle: summary.handle, table: summary.tables[0]!.name };
    },
    async dispose() {
      log.dispose();
      await service.dispose();
    },
  };
}

/** The job's last distributed-progress event so far that satisfies `match`, once there is one. */
export function progressWhere(
  log: EventLog,
  jobId: string,
  match: (event: Extract<JobEvent, { type: 'distributed-progress' }>) => boolean,
): Promise<Extract<JobEvent, { type: 'distributed-progress' }>> {
  return log.waitFor(
    jobId,
    (event): event is Extract<JobEvent, { type: 'distributed-progress' }> =>
      event.type === 'distributed-progress' && match(event),
  );
}

/** Kills what is still running of the test's processes (SIGCONT first: a frozen one too). */
export async function stopAll(started: RunningCli[]): Promise<void> {
  for (const running of started) {
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGCONT');
      running.child.kill('SIGKILL');
    }
  }
  await Promise.allSettled(started.map((running) => running.exited));
  started.splice(0);
}
