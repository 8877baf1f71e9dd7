/**
 * Every job VaultService runs (pre-flight, verify, rotation) from the checks
 * that let it start to the moment it ends: which ids were used, which vaults
 * are busy, which rotation is active, and every host thread, so that dispose()
 * leaves none behind. One place answers "may this job start?", in one order.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { isServerTarget, parseServerTarget } from '../../engine/index.js';
import type { IpcError } from '../../shared/ipc-contract.js';
import { invalidArgument } from '../../shared/ipc-validation.js';
import { BUSY } from '../../core/error-codes.js';
import { ipcError } from '../common/ipc-errors.js';
import { DisposableStore } from '../common/disposable-store.js';
import type { HostOutcome } from './host-job.js';

/**
 * The jobs VaultService runs: one at a time per vault (the distributed check excepted: it only
 * reads and may run beside the pre-flight), one rotation (on this machine, or coordinated) at a time.
 */
export type JobKind = 'preflight' | 'verify' | 'rotate' | 'coordinate' | 'distributed-check';

/** The kinds that rotate: one at a time, and the quit guard asks before stopping them. */
export type RotationKind = Extract<JobKind, 'rotate' | 'coordinate'>;

const isRotationKind = (kind: JobKind): kind is RotationKind =>
  kind === 'rotate' || kind === 'coordinate';

/** Whether a job of `kind` holds its vault (no other job of it may start meanwhile). */
const holdsVault = (kind: JobKind): boolean => kind !== 'distributed-check';

export interface JobClaim {
  readonly jobId: string;
  readonly kind: JobKind;
  /** the chosen path (or connection string) of its vault */
  readonly vaultPath: string;
}

/** What the registry needs of a job's host thread (HostJob). */
export interface JobHost<T> {
  readonly outcome: Promise<HostOutcome<T>>;
  cancel(): void;
  terminate(): Promise<void>;
}

export interface ActiveRotationInfo {
  readonly jobId: string;
  /** 'coordinate': a distributed rotation this app coordinates (cancelling it stops every worker) */
  readonly kind: JobKind;
  readonly vaultPath: string;
  readonly startedAt: number;
  readonly cancelRequested: boolean;
}

interface RunningJob {
  readonly claim: JobClaim;
  /** vaultKey() of its vault */
  readonly vault: string;
  readonly host: JobHost<unknown>;
  readonly startedAt: number;
  cancelRequested: boolean;
  /** settles after the job left the registry and its outcome was handed on */
  readonly finished: Promise<unknown>;
}

const RUNNING_JOB: Record<JobKind, string> = {
  preflight: 'A pre-flight check of this vault is running.',
  verify: 'A verification of this vault is running.',
  rotate: 'This vault is being rotated right now.',
  coordinate: 'A distributed rotation of this vault is being coordinated by this app right now.',
  'distributed-check': 'The distributed checks of this vault are running.',
};

/** Two names of one file (a symlink, "a/../b") are one vault; a missing file keeps its resolved name. */
function vaultKey(path: string): string {
  if (isServerTarget(path)) return parseServerTarget(path).display;
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export class JobRegistry {
  private readonly running = new Map<string, RunningJob>();
  /** ids of every job started in this session: an id names one job only */
  private readonly usedIds = new Set<string>();
  /** every live host thread, jobs' and the read-only looks', so dispose() can stop them all */
  private readonly threads = new Set<{ terminate(): Promise<void> }>();
  private disposed = false;

  /** @param cancelGraceMs how long dispose() lets a cancelled rotation finish its batch */
  constructor(private readonly cancelGraceMs: number) {}

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Refused once the app is shutting down; null otherwise. */
  refuseWhenDisposed(): IpcError | null {
    if (!this.disposed) return null;
    return ipcError(BUSY, 'The app is shutting down; try again after restarting it.');
  }

  /** One job per vault: refused while a job of any kind holds it (or the app is shutting down). */
  refuseBusy(vaultPath: string): IpcError | null {
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    const key = vaultKey(vaultPath);
    const holder = [...this.running.values()].find(
      (job) => job.vault === key && holdsVault(job.claim.kind),
    );
    if (!holder) return null;
    return ipcError(
      BUSY,
      `${RUNNING_JOB[holder.claim.kind]} Wait for it to finish, or cancel it, then try again.`,
    );
  }

  /** Why the job may not start, in this order: shutting down, id used, vault busy, another rotation. */
  refuse(claim: JobClaim): IpcError | null {
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    if (this.usedIds.has(claim.jobId))
      return invalidArgument(`job id ${claim.jobId} was already used; each job needs a new one.`);
    const busy = holdsVault(claim.kind) ? this.refuseBusy(claim.vaultPath) : null;
    if (busy) return busy;
    if (isRotationKind(claim.kind) && this.activeJob()) {
      return ipcError(
        BUSY,
        'A rotation is already running. Wait for it to finish or cancel it before starting another.',
      );
    }
    return null;
  }

  /**
   * Registers a job refuse() let through, with its host thread. When the host settles, the job
   * leaves the registry (its vault free, its thread forgotten) before `settled` gets the outcome,
   * so whoever hears of the end may start the next job at once.
   */
  start<T, U>(
    claim: JobClaim,
    host: JobHost<T>,
    settled: (outcome: HostOutcome<T>, job: ActiveRotationInfo) => U,
  ): Promise<U> {
    this.usedIds.add(claim.jobId);
    const resources = new DisposableStore();
    resources.add(this.track(host));
    resources.add(() => {
      this.running.delete(claim.jobId);
    });
    const finished = host.outcome.then(async (outcome) => {
      await resources.dispose();
      return settled(outcome, infoOf(job));
    });
    const job: RunningJob = {
      claim,
      vault: vaultKey(claim.vaultPath),
      host,
      startedAt: Date.now(),
      cancelRequested: false,
      finished,
    };
    this.running.set(claim.jobId, job);
    return finished;
  }

  /** Counts a host thread that is no job (a read-only look) until it settles; returns the forget function. */
  track(host: JobHost<unknown>): () => void {
    const forget = (): void => {
      this.threads.delete(host);
    };
    this.threads.add(host);
    void host.outcome.then(forget);
    return forget;
  }

  /** Asks a running job to stop after the work in progress; an unknown or finished id is ignored. */
  cancel(jobId: string): void {
    const job = this.running.get(jobId);
    if (!job) return;
    job.cancelRequested = true;
    job.host.cancel();
  }

  /** Whether this app coordinates a distributed rotation of the vault right now. */
  coordinates(vaultPath: string): boolean {
    const key = vaultKey(vaultPath);
    return [...this.running.values()].some(
      (job) => job.claim.kind === 'coordinate' && job.vault === key,
    );
  }

  activeRotation(): ActiveRotationInfo | null {
    const job = this.activeJob();
    return job ? infoOf(job) : null;
  }

  /**
   * Cancels the running rotation and waits until it has stopped (its outcome handed on). After
   * `graceMs` the host is terminated instead, which is safe: batches are transactions and the
   * checkpoint allows resuming. Answers what the rotation's `settled` returned, or null.
   */
  async cancelActiveAndWait(graceMs = this.cancelGraceMs): Promise<unknown> {
    const active = this.activeJob();
    if (!active) return null;
    this.cancel(active.claim.jobId);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof timeout>((resolve) => {
      timer = setTimeout(() => resolve(timeout), graceMs);
    });
    try {
      const first = await Promise.race([active.finished, timedOut]);
      if (first !== timeout) return first;
      await active.host.terminate();
      return await active.finished;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Refuses new jobs, cancels the rotation (waiting for its batch), then stops every thread left. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.cancelActiveAndWait();
    await Promise.all([...this.threads].map((thread) => thread.terminate()));
    this.threads.clear();
  }

  private activeJob(): RunningJob | undefined {
    return [...this.running.values()].find((job) => isRotationKind(job.claim.kind));
  }
}

const timeout = Symbol('timeout');

function infoOf(job: RunningJob): ActiveRotationInfo {
  const { claim, startedAt, cancelRequested } = job;
  const { jobId, kind, vaultPath } = claim;
  return { jobId, kind, vaultPath, startedAt, cancelRequested };
}
