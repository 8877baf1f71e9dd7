/**
 * The app's operations on top of the engine, free of Electron: main's IPC
 * handlers call it, and the renderer's browser end-to-end tests drive it
 * directly from Node. Every engine call runs in an engine-host worker thread,
 * so the caller's thread (Electron's main thread) never blocks.
 *
 * Requests arrive validated: main's IPC router checks every argument against
 * the contract (ipc-contract.ts) before calling here, so this class checks
 * only what needs its state (handles given out, jobs running, ids used).
 *
 * Every job starts the same way (launch): its checks in one order (job-registry.ts),
 * its request built (job-requests.ts), its passwords handed to the host thread and
 * zeroed here (host-passwords.ts). Passwords are never logged, stored, or put into
 * events or errors.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import {
  isServerTarget,
  type PreflightResult,
  type RotationResult,
  type VerifyResult,
} from '../../engine/index.js';
import type {
  AuditEntry,
  ConnectionTestResult,
  IpcResult,
  JobEvent,
  PreflightRequest,
  RecentVault,
  RotationRequest,
  ServerConnection,
  ServerConnectionRequest,
  VaultHandle,
  VaultSummary,
  VerifyRequest,
} from '../../shared/ipc-contract.js';
import { validateVaultPath } from '../../shared/ipc-validation.js';
import { ChosenVaults, notChosenError } from './chosen-vaults.js';
import type { HostProgress, HostRequest, HostResults } from './engine-host-protocol.js';
import { HostJob } from './host-job.js';
import { handPasswords, passwordBytes, type HandedPasswords } from './host-passwords.js';
import { JobRegistry, type ActiveRotationInfo } from './job-registry.js';
import { DistributedJobs } from './distributed-jobs.js';
import {
  infoRequest,
  preflightPlan,
  rotationPlan,
  verifyPlan,
  type EngineSettings,
  type JobPlan,
} from './job-requests.js';
import { BUSY } from '../../core/error-codes.js';
import { ipcError, toIpcError } from '../common/ipc-errors.js';
import { AuditLog } from './audit-log.js';
import { rotationJobEnd, type JobEnd } from './rotation-job-end.js';
import { RecentVaults } from './recent-vaults.js';
import { RecentConnections } from './recent-connections.js';
import { buildConnectionString, ServerPasswords } from './server-connections.js';
import { vaultSummary } from './vault-summary.js';

export interface VaultServiceOptions extends EngineSettings {
  /** app data folder (recent-vaults.json lives here); never receives a secret */
  readonly dataDir: string;
  /** how long dispose() lets a cancelled rotation finish its batch before terminating it (default 10 s) */
  readonly cancelGraceMs?: number;
}

export type JobListener = (event: JobEvent) => void;

/** What a started job does with its progress and its outcome (once it has left the registry). */
type HostJobEnd<R extends HostRequest, U> = JobEnd<
  HostProgress[R['type']],
  HostResults[R['type']],
  U
>;

export class VaultService {
  private readonly recent: RecentVaults;
  private readonly recentConnectionList: RecentConnections;
  /** database passwords of the server handles, main's memory only (see server-connections.ts) */
  private readonly serverPasswords = new ServerPasswords();
  private readonly listeners = new Set<JobListener>();
  /** one line per finished rotation, in the data folder */
  private readonly audit: AuditLog;
  private readonly chosenVaults = new ChosenVaults();
  /** job ids, busy vaults, the active rotation, every host thread */
  private readonly jobs: JobRegistry;
  /** the distributed rotation's calls (issue 19; the IPC router serves them from here) */
  readonly distributed: DistributedJobs;

  constructor(private readonly options: VaultServiceOptions) {
    this.audit = new AuditLog(options.dataDir);
    this.recent = new RecentVaults(options.dataDir);
    this.recentConnectionList = new RecentConnections(options.dataDir);
    this.jobs = new JobRegistry(options.cancelGraceMs ?? 10_000);
    this.distributed = new DistributedJobs({
      settings: options,
      launch: (jobId, vault, plan, end) => this.launch(jobId, vault, plan, end),
      runOnVault: (vault, request) => this.runOnVault(vault, request),
      emit: (event) => this.emit(event),
      recordInAuditLog: (entry) => this.recordInAuditLog(entry),
    });
  }

  /** Events of every job (rotation progress and outcome, check progress); returns the unsubscribe function. */
  onJobEvent(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Opens a file the user chose in main (the open dialog, or a drop the
   * preload resolved) and gives it a handle. Network (UNC) paths are refused.
   */
  async openChosenPath(path: string): Promise<IpcResult<VaultSummary>> {
    const chosen = this.chooseVault(path);
    if (!chosen.ok) return chosen;
    return this.openVault(chosen.value);
  }

  /**
   * Records that the user chose `path` (main-side only: never reachable from
   * IPC with a path of the page's own) and returns its handle.
   */
  chooseVault(path: string): IpcResult<VaultHandle> {
    const checked = validateVaultPath(path);
    if (!checked.ok) return checked;
    return { ok: true, value: this.chosenVaults.grant(checked.value) };
  }

  /** Opens (or re-reads) a vault chosen earlier in this session. */
  async openVault(handle: VaultHandle): Promise<IpcResult<VaultSummary>> {
    const target = this.chosenPath(handle);
    if (!target.ok) return target;
    const closed = this.jobs.refuseWhenDisposed();
    if (closed) return { ok: false, error: closed };
    const vaultPath = target.value;
    const server = isServerTarget(vaultPath);
    const outcome = await this.inspect(vaultPath, this.serverPasswords.copyFor(handle));
    if (!outcome.ok) {
      if (outcome.error.code === 'FILE_NOT_FOUND') this.recent.forget(vaultPath);
      return outcome;
    }
    if (!server) this.recent.remember(vaultPath);
    return { ok: true, value: vaultSummary(handle, vaultPath, outcome.value) };
  }

  /**
   * Connects read-only to the server of the form, lists the vault tables, and
   * disconnects. Nothing is kept: the password bytes go to the job's thread,
   * which zeroes them; a failure answers with the engine's code and message
   * (SERVER_AUTH, SERVER_UNREACHABLE, DATABASE_NOT_FOUND, NO_VAULT_TABLE, ...).
   */
  async testConnection(request: ServerConnectionRequest): Promise<IpcResult<ConnectionTestResult>> {
    const closed = this.jobs.refuseWhenDisposed();
    if (closed) return { ok: false, error: closed };
    const built = buildConnectionString(request);
    if (!built.ok) return built;
    const password = request.password === '' ? undefined : passwordBytes(request.password);
    const outcome = await this.inspect(built.value.url, password);
    if (!outcome.ok) return outcome;
    return {
      ok: true,
      value: {
        display: built.value.target.display,
        driver: outcome.value.driver,
        tables: [...outcome.value.tables],
      },
    };
  }

  /**
   * Opens a vault in a database server: the connection gets a handle like a
   * chosen file, main keeps its password bytes (memory only) for the jobs on
   * it, and the connection (never the password) joins the recent list.
   * Failing to open forgets the password again.
   */
  async connectDatabase(request: ServerConnectionRequest): Promise<IpcResult<VaultSummary>> {
    const closed = this.jobs.refuseWhenDisposed();
    if (closed) return { ok: false, error: closed };
    const built = buildConnectionString(request);
    if (!built.ok) return built;
    // While a job runs on this vault, its password is not replaced under it.
    const busy = this.jobs.refuseBusy(built.value.url);
    if (busy) return { ok: false, error: busy };
    const handle = this.chosenVaults.grant(built.value.url);
    if (request.password === '') this.serverPasswords.forget(handle);
    else this.serverPasswords.keep(handle, passwordBytes(request.password));
    const opened = await this.openVault(handle);
    if (!opened.ok) {
      this.serverPasswords.forget(handle);
      return opened;
    }
    this.recentConnectionList.remember(request);
    return opened;
  }

  /** Database connections used before (newest first), without passwords. */
  async recentConnections(): Promise<IpcResult<ServerConnection[]>> {
    return { ok: true, value: this.recentConnectionList.list() };
  }

  /**
   * The page left the vault: the database password kept for it is zeroed (files keep nothing).
   * Refused while this app coordinates a distributed rotation of it: the page would lose the
   * only view of (and Cancel for) a rotation every worker is still serving.
   */
  async closeVault(handle: VaultHandle): Promise<IpcResult<null>> {
    const path = this.chosenVaults.pathOf(handle);
    if (path !== null && this.jobs.coordinates(path)) {
      return {
        ok: false,
        error: ipcError(
          BUSY,
          'This app coordinates a distributed rotation of this vault: cancel it (every worker stops ' +
            'after its batch) and wait until it has stopped, or keep the vault open until it ends.',
        ),
      };
    }
    this.serverPasswords.forget(handle);
    return { ok: true, value: null };
  }

  /** The recent list (chosen in earlier sessions), each entry with a handle for this session. */
  async recentVaults(): Promise<IpcResult<RecentVault[]>> {
    const entries: RecentVault[] = [];
    for (const path of this.recent.list()) {
      // The file is the user's, but nothing stops another program editing it: same rules as a dialog pick.
      if (!validateVaultPath(path).ok) continue;
      entries.push({ handle: this.chosenVaults.grant(path), path: resolve(path) });
    }
    return { ok: true, value: entries };
  }

  /**
   * Tests the old password on a sample; answers with the result, streaming
   * 'preflight-progress' events under `jobId` meanwhile (cancelJob stops it).
   */
  async preflight(
    request: PreflightRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<PreflightResult>> {
    const launched = this.launch(jobId, request.vault, preflightPlan(request, this.options), {
      onProgress: (progress) => this.emit({ type: 'preflight-progress', jobId, progress }),
      settled: (outcome) => outcome,
    });
    return launched.ok ? await launched.value : launched;
  }

  /**
   * Opens records with a password; answers with the result, streaming
   * 'verify-progress' events under `jobId` meanwhile (cancelJob stops it).
   */
  async verify(
    request: VerifyRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<VerifyResult>> {
    const launched = this.launch(jobId, request.vault, verifyPlan(request, this.options), {
      onProgress: (progress) => this.emit({ type: 'verify-progress', jobId, progress }),
      settled: (outcome) => outcome,
    });
    return launched.ok ? await launched.value : launched;
  }

  /**
   * Starts a rotation (one at a time) and returns at once; progress, the
   * result or an error follow as RotationEvents. A fresh run's own check is
   * its pre-flight: 'preflight-progress' events and its 'preflight-result'
   * come first, and a refusal is then the job's error. Input mistakes (same
   * password, policy, Argon2id limits) are answered here, before any work.
   * `jobId` is the renderer's (so it knows the id before any event can
   * arrive); an id used before in this session is refused. Callers outside
   * IPC may leave it out.
   */
  async startRotation(
    request: RotationRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<{ jobId: string }>> {
    const launched = this.launch(
      jobId,
      request.vault,
      rotationPlan(request, this.options),
      rotationJobEnd(
        jobId,
        request,
        (event) => this.emit(event),
        (entry) => this.recordInAuditLog(entry),
      ),
    );
    return launched.ok ? { ok: true, value: { jobId } } : launched;
  }

  /**
   * Asks a running job (rotation, pre-flight or verify) to stop after the work
   * in progress: a rotation then ends with its "cancelled" result event, a
   * check answers its call with `cancelled: true`. A job that already ended
   * (or never existed) is not an error for the person clicking Cancel.
   */
  async cancelJob(jobId: string): Promise<IpcResult<null>> {
    this.jobs.cancel(jobId);
    return { ok: true, value: null };
  }

  /** The local audit log of rotations, newest first. */
  async auditLog(): Promise<IpcResult<AuditEntry[]>> {
    return { ok: true, value: this.audit.entries() };
  }

  activeRotation(): ActiveRotationInfo | null {
    return this.jobs.activeRotation();
  }

  /**
   * Cancels the running rotation and waits until it has stopped (its result
   * event emitted). After `graceMs` the host is terminated instead, which is
   * safe: batches are transactions and the checkpoint allows resuming.
   */
  async cancelActiveAndWait(graceMs?: number): Promise<RotationResult | null> {
    // A rotation's outcome is what startRotation's `settled` returns.
    return (await this.jobs.cancelActiveAndWait(graceMs)) as RotationResult | null;
  }

  /** Cancels any rotation (waiting for its batch), stops every host thread, drops listeners. */
  async dispose(): Promise<void> {
    if (this.jobs.isDisposed) return;
    await this.jobs.dispose();
    this.listeners.clear();
    this.serverPasswords.clear();
  }

  /** A log that cannot be written must not turn a finished rotation into a failure: it is reported. */
  private recordInAuditLog(entry: AuditEntry): void {
    try {
      this.audit.append(entry);
    } catch (error) {
      console.error(`audit log not written (${this.audit.file}):`, toIpcError(error).message);
    }
  }

  private emit(event: JobEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // One broken listener must not stop the others or the job.
        console.error('job event listener failed:', toIpcError(error).message);
      }
    }
  }

  /**
   * The one way a job starts, its checks in one order: the vault was chosen, then the registry's
   * (shutting down, id used, vault busy, another rotation), then the input (`request` may refuse
   * it). Only then are its passwords handed to a new engine host and the job registered.
   */
  private launch<P extends readonly (string | undefined)[], R extends HostRequest, U>(
    jobId: string,
    vault: VaultHandle,
    plan: JobPlan<P, R>,
    end: HostJobEnd<R, U>,
  ): IpcResult<Promise<U>> {
    const target = this.chosenPath(vault);
    if (!target.ok) return target;
    const claim = { jobId, kind: plan.kind, vaultPath: target.value };
    const refused = this.jobs.refuse(claim);
    if (refused) return { ok: false, error: refused };
    try {
      return handPasswords(plan.passwords, this.serverPasswords.copyFor(vault), (handed) => {
        const host = new HostJob(plan.request(claim.vaultPath, handed), {
          transfer: handed.transfer,
          onProgress: end.onProgress,
          onPreflightProgress: end.onPreflightProgress,
          onPreflight: end.onPreflight,
        });
        return { ok: true, value: this.jobs.start(claim, host, end.settled) };
      });
    } catch (error) {
      return { ok: false, error: toIpcError(error) };
    }
  }

  /** A read-only look at a vault (tables, counts, unfinished rotation) in a host thread. */
  private inspect(
    vaultPath: string,
    serverPassword: Uint8Array<ArrayBuffer> | undefined,
  ): Promise<IpcResult<HostResults['info']>> {
    return this.runHost(serverPassword, (server) => infoRequest(vaultPath, server, this.options));
  }

  /** A host thread that is no job, on a chosen vault with the database password kept for it. */
  private async runOnVault<R extends HostRequest>(
    vault: VaultHandle,
    request: (vaultPath: string, server: HandedPasswords<[]>['server']) => R,
  ): Promise<IpcResult<HostResults[R['type']]>> {
    const target = this.chosenPath(vault);
    if (!target.ok) return target;
    const closed = this.jobs.refuseWhenDisposed();
    if (closed) return { ok: false, error: closed };
    return this.runHost(this.serverPasswords.copyFor(vault), (server) =>
      request(target.value, server),
    );
  }

  /** Runs `request` in a tracked host thread (dispose() stops it), the database password handed over. */
  private runHost<R extends HostRequest>(
    serverPassword: Uint8Array<ArrayBuffer> | undefined,
    request: (server: HandedPasswords<[]>['server']) => R,
  ): Promise<IpcResult<HostResults[R['type']]>> {
    return handPasswords([], serverPassword, ({ server, transfer }) => {
      const host = new HostJob(request(server), { transfer });
      this.jobs.track(host);
      return host.outcome;
    });
  }

  /** The path behind a handle main gave out; anything else is refused. */
  private chosenPath(handle: VaultHandle): IpcResult<string> {
    const path = this.chosenVaults.pathOf(handle);
    return path === null ? { ok: false, error: notChosenError } : { ok: true, value: path };
  }
}
