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
 * Passwords arrive as strings (that is what IPC carries), become UTF-8 bytes
 * here, and are transferred to the host, leaving no copy behind in this
 * thread. They are never logged, stored, or put into events or errors.
 */
import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  ARGON2_PRESETS,
  isServerTarget,
  parseServerTarget,
  validateRotationInput,
  type Argon2BackendPreference,
  type Argon2Config,
  type PreflightResult,
  type RotationResult,
  type VaultDriverPreference,
  type VerifyResult,
} from '../../engine/index.js';
import type {
  Argon2Choice,
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
import { invalidArgument, validateVaultPath } from '../../shared/ipc-validation.js';
import { ChosenVaults, notChosenError } from './chosen-vaults.js';
import type { HostRequest, HostResults } from './engine-host-protocol.js';
import { HostJob } from './host-job.js';
import { BUSY, ipcError, toIpcError } from '../ipc/ipc-errors.js';
import { AuditLog, auditEntry } from './audit-log.js';
import { RecentVaults } from './recent-vaults.js';
import { RecentConnections } from './recent-connections.js';
import { buildConnectionString, ServerPasswords } from './server-connections.js';

type RotateRequest = Extract<HostRequest, { type: 'rotate' }>;

/** The jobs that hold a vault: one at a time per vault file. */
type JobKind = 'preflight' | 'verify' | 'rotate';

/** One entry of the job registry: every running job, whatever its kind, by the renderer's id. */
interface RunningJob {
  readonly jobId: string;
  readonly kind: JobKind;
  /** vaultKey() of its file */
  readonly vault: string;
  readonly host: { cancel(): void };
}

const RUNNING_JOB: Record<JobKind, string> = {
  preflight: 'A pre-flight check of this vault is running.',
  verify: 'A verification of this vault is running.',
  rotate: 'This vault is being rotated right now.',
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

export interface VaultServiceOptions {
  /** app data folder (recent-vaults.json lives here); never receives a secret */
  readonly dataDir: string;
  /** where rotation checkpoints live; default: next to the vault (where the CLI looks too) */
  readonly checkpointDir?: string;
  /** engine worker pool size; default: the engine's (one per core) */
  readonly workers?: number;
  readonly driver?: VaultDriverPreference;
  /** Electron build of better-sqlite3 (see native-sqlite.ts) */
  readonly nativeBinding?: string;
  readonly kdfBackend?: Argon2BackendPreference;
  /** records per write transaction (engine default 64); tests use small batches to cancel mid-job */
  readonly batchSize?: number;
  /** minimum ms between progress events of every job (engine default 100) */
  readonly progressIntervalMs?: number;
  /** how long dispose() lets a cancelled rotation finish its batch before terminating it (default 10 s) */
  readonly cancelGraceMs?: number;
}

export type JobListener = (event: JobEvent) => void;

export interface ActiveRotationInfo {
  readonly jobId: string;
  readonly vaultPath: string;
  readonly startedAt: number;
  readonly cancelRequested: boolean;
}

interface ActiveRotation extends ActiveRotationInfo {
  readonly host: HostJob<RotateRequest>;
  cancelRequested: boolean;
  /** resolves after the result/error event was emitted */
  readonly finished: Promise<RotationResult | null>;
}

const encoder = new TextEncoder();

/** Fresh UTF-8 bytes of a password (no normalisation: NFC and NFD are different passwords). */
function passwordBytes(password: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(password);
}

function zero(...buffers: Uint8Array[]): void {
  // A transferred buffer is detached (length 0): nothing of it is left here to clear.
  for (const buffer of buffers) if (buffer.byteLength > 0) buffer.fill(0);
}

/** The job's copy of a database password, to zero if it was never moved to the thread. */
function zeroable(secret: ServerSecret): Uint8Array[] {
  return secret.serverPassword ? [secret.serverPassword] : [];
}

export function argon2ConfigOf(choice: Argon2Choice): Argon2Config {
  return choice.preset === 'custom' ? { ...choice.config } : { ...ARGON2_PRESETS[choice.preset] };
}

/** A job's copy of the database password of a server handle, and the buffer to move to its thread. */
interface ServerSecret {
  readonly serverPassword?: Uint8Array;
  readonly transfer: ArrayBuffer[];
}

export class VaultService {
  private readonly recent: RecentVaults;
  private readonly recentConnectionList: RecentConnections;
  /** database passwords of the server handles, main's memory only (see server-connections.ts) */
  private readonly serverPasswords = new ServerPasswords();
  private readonly listeners = new Set<JobListener>();
  /** one line per finished rotation, in the data folder */
  private readonly audit: AuditLog;
  /** every live host thread, so dispose() can stop them all */
  private readonly hosts = new Set<{ terminate(): Promise<void> }>();
  private readonly chosenVaults = new ChosenVaults();
  /** the job registry: jobId -> running job (rotation, pre-flight, verify); also says which vaults are busy */
  private readonly jobs = new Map<string, RunningJob>();
  private active: ActiveRotation | null = null;
  /** ids of every job started in this session: an id names one job only */
  private readonly usedJobIds = new Set<string>();
  private disposed = false;

  constructor(private readonly options: VaultServiceOptions) {
    this.audit = new AuditLog(options.dataDir);
    this.recent = new RecentVaults(options.dataDir);
    this.recentConnectionList = new RecentConnections(options.dataDir);
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
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    const vaultPath = target.value;
    const server = isServerTarget(vaultPath);
    const outcome = await this.inspect(vaultPath, this.serverSecret(handle));
    if (!outcome.ok) {
      if (outcome.error.code === 'FILE_NOT_FOUND') this.recent.forget(vaultPath);
      return outcome;
    }
    const info = outcome.value;
    if (!server) this.recent.remember(vaultPath);
    // A server vault is shown by its connection string without password, named after its database.
    const shown = server ? parseServerTarget(vaultPath) : null;
    return {
      ok: true,
      value: {
        handle,
        path: shown ? shown.display : vaultPath,
        fileName: shown ? `${shown.database} on ${shown.host}` : basename(vaultPath),
        fileSizeBytes: info.fileSizeBytes,
        driver: info.driver,
        tables: [...info.tables],
        unfinishedRotations: [...info.unfinishedRotations],
        checkpointProblem: info.checkpointProblem,
      },
    };
  }

  /**
   * Connects read-only to the server of the form, lists the vault tables, and
   * disconnects. Nothing is kept: the password bytes go to the job's thread,
   * which zeroes them; a failure answers with the engine's code and message
   * (SERVER_AUTH, SERVER_UNREACHABLE, DATABASE_NOT_FOUND, NO_VAULT_TABLE, ...).
   */
  async testConnection(request: ServerConnectionRequest): Promise<IpcResult<ConnectionTestResult>> {
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    const built = buildConnectionString(request);
    if (!built.ok) return built;
    const password = request.password === '' ? undefined : passwordBytes(request.password);
    try {
      const outcome = await this.inspect(built.value.url, {
        ...(password && { serverPassword: password }),
        transfer: password ? [password.buffer] : [],
      });
      if (!outcome.ok) return outcome;
      return {
        ok: true,
        value: {
          display: built.value.target.display,
          driver: outcome.value.driver,
          tables: [...outcome.value.tables],
        },
      };
    } finally {
      if (password) zero(password);
    }
  }

  /**
   * Opens a vault in a database server: the connection gets a handle like a
   * chosen file, main keeps its password bytes (memory only) for the jobs on
   * it, and the connection (never the password) joins the recent list.
   * Failing to open forgets the password again.
   */
  async connectDatabase(request: ServerConnectionRequest): Promise<IpcResult<VaultSummary>> {
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    const built = buildConnectionString(request);
    if (!built.ok) return built;
    // While a job runs on this vault, its password is not replaced under it.
    const busy = this.busyWith(built.value.url);
    if (busy) return busy;
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

  /** The page left the vault: the database password kept for it is zeroed (files keep nothing). */
  async closeVault(handle: VaultHandle): Promise<IpcResult<null>> {
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
    const claimed = this.claimJob(request.vault, jobId);
    if (!claimed.ok) return claimed;
    const vaultPath = claimed.value;
    const { table, crypto, includeSoftDeleted } = request;
    const oldPassword = passwordBytes(request.oldPassword);
    const newPassword =
      request.newPassword === undefined ? null : passwordBytes(request.newPassword);
    const secret = this.serverSecret(request.vault);
    try {
      const host = new HostJob(
        {
          type: 'preflight',
          options: {
            ...(secret.serverPassword && { serverPassword: secret.serverPassword }),
            vaultPath,
            table,
            oldPassword,
            ...(newPassword && { newPassword }),
            openConfig: argon2ConfigOf(crypto),
            includeSoftDeleted,
            progressIntervalMs: this.options.progressIntervalMs,
            ...this.engineOptions(),
          },
        },
        {
          transfer: [
            oldPassword.buffer,
            ...(newPassword ? [newPassword.buffer] : []),
            ...secret.transfer,
          ],
          onProgress: (progress) => this.emit({ type: 'preflight-progress', jobId, progress }),
        },
      );
      return await this.runCheck({ jobId, kind: 'preflight', vault: vaultKey(vaultPath), host });
    } finally {
      zero(oldPassword, ...(newPassword ? [newPassword] : []), ...zeroable(secret));
    }
  }

  /**
   * Opens records with a password; answers with the result, streaming
   * 'verify-progress' events under `jobId` meanwhile (cancelJob stops it).
   */
  async verify(
    request: VerifyRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<VerifyResult>> {
    const claimed = this.claimJob(request.vault, jobId);
    if (!claimed.ok) return claimed;
    const vaultPath = claimed.value;
    const { table, crypto, sampleSize } = request;
    const password = passwordBytes(request.password);
    const secret = this.serverSecret(request.vault);
    try {
      const host = new HostJob(
        {
          type: 'verify',
          options: {
            ...(secret.serverPassword && { serverPassword: secret.serverPassword }),
            vaultPath,
            table,
            password,
            config: argon2ConfigOf(crypto),
            sampleSize,
            progressIntervalMs: this.options.progressIntervalMs,
            ...this.engineOptions(),
          },
        },
        {
          transfer: [password.buffer, ...secret.transfer],
          onProgress: (progress) => this.emit({ type: 'verify-progress', jobId, progress }),
        },
      );
      return await this.runCheck({ jobId, kind: 'verify', vault: vaultKey(vaultPath), host });
    } finally {
      zero(password, ...zeroable(secret));
    }
  }

  /**
   * Starts a rotation (one at a time) and returns at once; progress, the
   * result or an error follow as RotationEvents. Input mistakes (same
   * password, policy, Argon2id limits) are answered here, before any work.
   * `jobId` is the renderer's (so it knows the id before any event can
   * arrive); an id used before in this session is refused. Callers outside
   * IPC may leave it out.
   */
  async startRotation(
    request: RotationRequest,
    jobId: string = randomUUID(),
  ): Promise<IpcResult<{ jobId: string }>> {
    const unused = this.refuseUsedJobId(jobId);
    if (unused) return unused;
    const target = this.chosenPath(request.vault);
    if (!target.ok) return target;
    const vaultPath = target.value;
    const busy = this.busyWith(vaultPath);
    if (busy) return busy;
    if (this.active) {
      return {
        ok: false,
        error: ipcError(
          BUSY,
          'A rotation is already running. Wait for it to finish or cancel it before starting another.',
        ),
      };
    }
    const r = request;
    const oldPassword = passwordBytes(r.oldPassword);
    const newPassword = passwordBytes(r.newPassword);
    const secret = this.serverSecret(r.vault);
    try {
      const openConfig = argon2ConfigOf(r.crypto);
      const writeConfig = r.newCrypto ? argon2ConfigOf(r.newCrypto) : undefined;
      try {
        validateRotationInput({
          oldPassword,
          newPassword,
          openConfig,
          writeConfig,
          newPasswordPolicy: r.newPasswordPolicy,
        });
      } catch (error) {
        return { ok: false, error: toIpcError(error) };
      }
      this.usedJobIds.add(jobId);
      const host = new HostJob<RotateRequest>(
        {
          type: 'rotate',
          options: {
            ...(secret.serverPassword && { serverPassword: secret.serverPassword }),
            vaultPath,
            table: r.table,
            oldPassword,
            newPassword,
            openConfig,
            writeConfig,
            newPasswordPolicy: r.newPasswordPolicy,
            includeSoftDeleted: r.includeSoftDeleted,
            backup: r.backup,
            dryRun: r.dryRun,
            resume: r.resume,
            restart: r.restart ?? false,
            scanAnyway: r.scanAnyway ?? false,
            checkpointDir: this.options.checkpointDir,
            batchSize: this.options.batchSize,
            progressIntervalMs: this.options.progressIntervalMs,
            ...this.engineOptions(),
          },
        },
        {
          transfer: [oldPassword.buffer, newPassword.buffer, ...secret.transfer],
          onProgress: (progress) => this.emit({ type: 'progress', jobId, progress }),
        },
      );
      this.hosts.add(host);
      this.jobs.set(jobId, { jobId, kind: 'rotate', vault: vaultKey(vaultPath), host });
      const startedAt = Date.now();
      const finished = host.outcome.then((outcome) => {
        this.hosts.delete(host);
        this.jobs.delete(jobId);
        this.active = null;
        this.recordInAuditLog(auditEntry(r, vaultPath, startedAt, outcome));
        if (outcome.ok) this.emit({ type: 'result', jobId, result: outcome.value });
        else this.emit({ type: 'error', jobId, error: outcome.error });
        return outcome.ok ? outcome.value : null;
      });
      this.active = {
        jobId,
        vaultPath,
        startedAt,
        cancelRequested: false,
        host,
        finished,
      };
      return { ok: true, value: { jobId } };
    } finally {
      zero(oldPassword, newPassword, ...zeroable(secret));
    }
  }

  /**
   * Asks a running job (rotation, pre-flight or verify) to stop after the work
   * in progress: a rotation then ends with its "cancelled" result event, a
   * check answers its call with `cancelled: true`. A job that already ended
   * (or never existed) is not an error for the person clicking Cancel.
   */
  async cancelJob(jobId: string): Promise<IpcResult<null>> {
    const job = this.jobs.get(jobId);
    if (!job) return { ok: true, value: null };
    if (this.active?.jobId === jobId) this.active.cancelRequested = true;
    job.host.cancel();
    return { ok: true, value: null };
  }

  /** The local audit log of rotations, newest first. */
  async auditLog(): Promise<IpcResult<AuditEntry[]>> {
    return { ok: true, value: this.audit.entries() };
  }

  /** A log that cannot be written must not turn a finished rotation into a failure: it is reported. */
  private recordInAuditLog(entry: AuditEntry): void {
    try {
      this.audit.append(entry);
    } catch (error) {
      console.error(`audit log not written (${this.audit.file}):`, toIpcError(error).message);
    }
  }

  activeRotation(): ActiveRotationInfo | null {
    if (!this.active) return null;
    const { jobId, vaultPath, startedAt, cancelRequested } = this.active;
    return { jobId, vaultPath, startedAt, cancelRequested };
  }

  /**
   * Cancels the running rotation and waits until it has stopped (its result
   * event emitted). After `graceMs` the host is terminated instead, which is
   * safe: batches are transactions and the checkpoint allows resuming.
   */
  async cancelActiveAndWait(
    graceMs = this.options.cancelGraceMs ?? 10_000,
  ): Promise<RotationResult | null> {
    const active = this.active;
    if (!active) return null;
    active.cancelRequested = true;
    active.host.cancel();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    try {
      const first = await Promise.race([active.finished, timedOut]);
      if (first !== 'timeout') return first;
      await active.host.terminate();
      return await active.finished;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Cancels any rotation (waiting for its batch), stops every host thread, drops listeners. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.cancelActiveAndWait();
    await Promise.all([...this.hosts].map((host) => host.terminate()));
    this.hosts.clear();
    this.listeners.clear();
    this.serverPasswords.clear();
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

  private async run<R extends HostRequest>(
    host: HostJob<R>,
  ): Promise<IpcResult<HostResults[R['type']]>> {
    this.hosts.add(host);
    try {
      return await host.outcome;
    } finally {
      this.hosts.delete(host);
    }
  }

  /** A read-only look at a vault (tables, counts, unfinished rotation) in a host thread. */
  private inspect(
    vaultPath: string,
    secret: ServerSecret,
  ): Promise<IpcResult<HostResults['info']>> {
    return this.run(
      new HostJob(
        {
          type: 'info',
          options: {
            ...(secret.serverPassword && { serverPassword: secret.serverPassword }),
            vaultPath,
            ...this.storageOptions(),
            checkpointDir: this.options.checkpointDir,
          },
        },
        { transfer: secret.transfer },
      ),
    );
  }

  /** The database password a job on `handle` gets: a fresh copy, moved to its thread (none for files). */
  private serverSecret(handle: VaultHandle): ServerSecret {
    const serverPassword = this.serverPasswords.copyFor(handle);
    return serverPassword
      ? { serverPassword, transfer: [serverPassword.buffer] }
      : { transfer: [] };
  }

  private refuseWhenDisposed(): IpcResult<never> | null {
    if (!this.disposed) return null;
    return {
      ok: false,
      error: ipcError(BUSY, 'The app is shutting down; try again after restarting it.'),
    };
  }

  /** The path behind a handle main gave out; anything else is refused. */
  private chosenPath(handle: VaultHandle): IpcResult<string> {
    const path = this.chosenVaults.pathOf(handle);
    return path === null ? { ok: false, error: notChosenError } : { ok: true, value: path };
  }

  /** One job per vault: refused while another job (of any kind) holds the same file. */
  private busyWith(vaultPath: string): IpcResult<never> | null {
    const closed = this.refuseWhenDisposed();
    if (closed) return closed;
    const key = vaultKey(vaultPath);
    const running = [...this.jobs.values()].find((job) => job.vault === key);
    if (!running) return null;
    return {
      ok: false,
      error: ipcError(
        BUSY,
        `${RUNNING_JOB[running.kind]} Wait for it to finish, or cancel it, then try again.`,
      ),
    };
  }

  /** An id names one job only, for the whole session. */
  private refuseUsedJobId(jobId: string): IpcResult<never> | null {
    if (!this.usedJobIds.has(jobId)) return null;
    return {
      ok: false,
      error: invalidArgument(`job id ${jobId} was already used; each job needs a new one.`),
    };
  }

  /** A check's id is new and its vault chosen and free: the id is taken, the vault's path returned. */
  private claimJob(vault: VaultHandle, jobId: string): IpcResult<string> {
    const unused = this.refuseUsedJobId(jobId);
    if (unused) return unused;
    const target = this.chosenPath(vault);
    if (!target.ok) return target;
    const busy = this.busyWith(target.value);
    if (busy) return busy;
    this.usedJobIds.add(jobId);
    return target;
  }

  /** Runs a check's host as a registered job (busy vault, cancellable by id) until it settles. */
  private async runCheck<R extends HostRequest>(
    job: RunningJob & { readonly host: HostJob<R> },
  ): Promise<IpcResult<HostResults[R['type']]>> {
    this.jobs.set(job.jobId, job);
    try {
      return await this.run(job.host);
    } finally {
      this.jobs.delete(job.jobId);
    }
  }

  private storageOptions(): {
    driver?: VaultDriverPreference | undefined;
    nativeBinding?: string | undefined;
  } {
    return { driver: this.options.driver, nativeBinding: this.options.nativeBinding };
  }

  private engineOptions(): {
    workers?: number | undefined;
    kdfBackend?: Argon2BackendPreference | undefined;
    driver?: VaultDriverPreference | undefined;
    nativeBinding?: string | undefined;
  } {
    return {
      workers: this.options.workers,
      kdfBackend: this.options.kdfBackend,
      ...this.storageOptions(),
    };
  }
}
