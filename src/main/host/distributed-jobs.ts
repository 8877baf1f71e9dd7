/**
 * The distributed rotation in the app (issue 19), beside VaultService: the app
 * coordinates a rotation of a server vault's table whose shards `worker`
 * processes on other machines (and, when asked, this machine's pool) serve
 * through a Redis queue. Everything runs in engine-host threads as the other
 * jobs do; the passwords (vault, database, Redis) are handed to the thread
 * and zeroed here, and never come back in an event, a status or a result.
 */
import { randomUUID } from 'node:crypto';
import type { PreflightProgress, PreflightResult } from '../../engine/index.js';
import type {
  AuditDistributed,
  AuditEntry,
  DistributedCheckRequest,
  DistributedCheckResult,
  DistributedResult,
  DistributedRotationRequest,
  DistributedStatus,
  DistributedTableRequest,
  IpcResult,
  JobEvent,
  QueueConnection,
  VaultHandle,
} from '../../shared/ipc-contract.js';
import { auditEntry } from './audit-log.js';
import type { HostProgress, HostRequest, HostResults } from './engine-host-protocol.js';
import type { HostOutcome } from './host-job.js';
import type { HandedPasswords } from './host-passwords.js';
import type { ActiveRotationInfo } from './job-registry.js';
import type { EngineSettings, JobPlan } from './job-requests.js';
import {
  coordinatePlan,
  distributedCheckPlan,
  distributedTarget,
  queueDisplay,
} from './distributed-requests.js';
import { RecentQueues } from './recent-queues.js';
import { ownCheckEvents, refusedInCheck } from './rotation-job-end.js';

/** What a started job does with its progress and its outcome (VaultService's JobEnd). */
export interface DistributedJobEnd<R extends HostRequest, U> {
  readonly onProgress: (progress: HostProgress[R['type']]) => void;
  /** the coordinator's own check (its pre-flight) */
  readonly onPreflightProgress?: (progress: PreflightProgress) => void;
  readonly onPreflight?: (result: PreflightResult) => void;
  readonly settled: (outcome: HostOutcome<HostResults[R['type']]>, job: ActiveRotationInfo) => U;
}

/** What these jobs need of VaultService: its one way to start a job, to read a ledger, to report. */
export interface DistributedHost {
  readonly settings: EngineSettings & { readonly dataDir: string };
  launch<P extends readonly (string | undefined)[], R extends HostRequest, U>(
    jobId: string,
    vault: VaultHandle,
    plan: JobPlan<P, R>,
    end: DistributedJobEnd<R, U>,
  ): IpcResult<Promise<U>>;
  /** a host thread that is no job (like the read-only look), on a chosen vault with its database password */
  runOnVault<R extends HostRequest>(
    vault: VaultHandle,
    request: (vaultPath: string, server: HandedPasswords<[]>['server']) => R,
  ): Promise<IpcResult<HostResults[R['type']]>>;
  emit(event: JobEvent): void;
  recordInAuditLog(entry: AuditEntry): void;
}

export class DistributedJobs {
  private readonly recent: RecentQueues;

  constructor(private readonly host: DistributedHost) {
    this.recent = new RecentQueues(host.settings.dataDir);
  }

  async check(
    request: DistributedCheckRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<DistributedCheckResult>> {
    const launched = this.host.launch(jobId, request.vault, distributedCheckPlan(request), {
      onProgress: () => undefined,
      settled: (outcome) => outcome,
    });
    if (!launched.ok) return launched;
    const outcome = await launched.value;
    // The queue answered with these settings: worth offering again (never with its password).
    if (outcome.ok) this.recent.remember(request.queue);
    return outcome;
  }

  start(
    request: DistributedRotationRequest,
    jobId: string = randomUUID(),
  ): IpcResult<{ jobId: string }> {
    const plan = coordinatePlan(request, this.host.settings);
    // The coordinator's own check is the pre-flight the app shows, as a rotate job's is.
    const check = ownCheckEvents(jobId, (event) => this.host.emit(event));
    const launched = this.host.launch(jobId, request.vault, plan, {
      // The time main read the ledger's figures: the screen's rates and "lost" are measured by it.
      onProgress: (progress) =>
        this.host.emit({ type: 'distributed-progress', jobId, progress, atMs: Date.now() }),
      ...check.events,
      settled: (outcome, job) => {
        // Refused or cancelled in its check: nothing planned or written, no line (as for one machine).
        const inCheck =
          !outcome.ok &&
          (check.result()?.cancelled || refusedInCheck(check.result(), outcome.error));
        if (!inCheck) this.host.recordInAuditLog(distributedAuditEntry(request, job, outcome));
        if (outcome.ok) this.host.emit({ type: 'result', jobId, result: outcome.value });
        else this.host.emit({ type: 'error', jobId, error: outcome.error });
        return outcome.ok ? outcome.value : null;
      },
    });
    if (!launched.ok) return launched;
    this.recent.remember(request.queue);
    return { ok: true, value: { jobId } };
  }

  status(request: DistributedTableRequest): Promise<IpcResult<DistributedStatus | null>> {
    return this.host.runOnVault(request.vault, (vaultPath, server) => ({
      type: 'distributed-status',
      options: { target: distributedTarget(vaultPath, request.table, server) },
    }));
  }

  cancel(request: DistributedTableRequest): Promise<IpcResult<DistributedStatus | null>> {
    return this.host.runOnVault(request.vault, (vaultPath, server) => ({
      type: 'distributed-cancel',
      options: { target: distributedTarget(vaultPath, request.table, server) },
    }));
  }

  recentQueues(): IpcResult<QueueConnection[]> {
    return { ok: true, value: this.recent.list() };
  }
}

/** The audit line of a distributed rotation: the usual one plus its queue and workers. */
function distributedAuditEntry(
  request: DistributedRotationRequest,
  job: ActiveRotationInfo,
  outcome: HostOutcome<DistributedResult>,
): AuditEntry {
  const result = outcome.ok ? outcome.value.distributed : null;
  const distributed: AuditDistributed = {
    queue: queueDisplay(request.queue),
    workHere: request.workHere,
    rotation: result?.rotation ?? null,
    shards: result?.shards ?? null,
    sweepRounds: result?.sweepRounds ?? null,
    workers: (result?.workers ?? []).map(({ host, records, state }) => ({ host, records, state })),
  };
  return {
    ...auditEntry({ ...request, dryRun: false }, job.vaultPath, job.startedAt, outcome),
    distributed,
  };
}
