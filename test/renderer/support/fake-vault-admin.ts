/**
 * An in-memory VaultAdminApi for renderer unit tests: a test double of the
 * preload boundary (not of the renderer under test). Answers are set per
 * test; startRotation can be held open to test events that race its answer.
 * Like main, it runs a rotation under the job id the renderer sends.
 * The real engine is exercised by the e2e tests.
 */
import type {
  AuditEntry,
  ConnectionTestResult,
  DistributedCheckRequest,
  DistributedCheckResult,
  DistributedRotationRequest,
  DistributedStatus,
  DistributedTableRequest,
  ExportReportRequest,
  IpcError,
  IpcResult,
  JobEvent,
  PreflightRequest,
  PreflightResult,
  QueueConnection,
  RecentVault,
  RotationProgress,
  RotationRequest,
  RotationResult,
  ServerConnection,
  ServerConnectionRequest,
  UnfinishedRotation,
  VaultAdminApi,
  VaultSummary,
  VaultTableInfo,
  VerifyProgress,
  VerifyRequest,
  VerifyResult,
} from '../../../src/shared/ipc-contract.js';
import type { ErrorCode } from '../../../src/core/error-codes.js';
import { DROPPED_WITHOUT_PATH } from '../../../src/shared/ipc-validation.js';

export function tableInfo(
  name: string,
  records: number,
  extra: Partial<VaultTableInfo> = {},
): VaultTableInfo {
  return { name, records, softDeleted: 0, expired: 0, v2: records, v1: 0, other: 0, ...extra };
}

/** The handle the fake main gives a path (main's are random; any opaque text will do here). */
export function handleOf(path: string): string {
  return `handle:${path}`;
}

export function vaultSummary(
  path: string,
  tables: VaultTableInfo[],
  extra: Partial<VaultSummary> = {},
): VaultSummary {
  return {
    handle: handleOf(path),
    path,
    fileName: path.split('/').pop() ?? path,
    fileSizeBytes: 81_920,
    driver: 'better-sqlite3',
    tables,
    unfinishedRotations: [],
    checkpointProblem: null,
    ...extra,
  };
}

/** What main reports of a rotation a cancel or crash left resumable (the engine's inspectVault). */
export function unfinishedRotation(
  table: string,
  extra: Partial<UnfinishedRotation> = {},
): UnfinishedRotation {
  return {
    table,
    checkpointPath: `/vaults/app.db.rotation-checkpoint.json`,
    openConfig: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
    writeConfig: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
    includeSoftDeleted: true,
    startedAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:05:00.000Z',
    counts: { scanned: 40, rotated: 38, skipped: 2, failed: 0, opened: 38, bytes: 4000 },
    recordsInScope: 200,
    backupPath: null,
    runs: 1,
    redoFromStart: false,
    ...extra,
  };
}

export function progressOf(
  scanned: number,
  total: number,
  extra: Partial<RotationProgress> = {},
): RotationProgress {
  return {
    phase: 'rotating',
    total,
    scanned,
    rotated: scanned,
    skipped: 0,
    failed: 0,
    bytes: scanned * 100,
    ratePerSecond: 50,
    elapsedMs: scanned * 20,
    etaMs: (total - scanned) * 20,
    ...extra,
  };
}

export function verifyProgressOf(
  checked: number,
  total: number,
  extra: Partial<VerifyProgress> = {},
): VerifyProgress {
  const opened = Math.ceil(checked / 2);
  return {
    phase: 'checking',
    total,
    checked,
    opened,
    notOpened: checked - opened,
    malformed: 0,
    ratePerSecond: 20,
    elapsedMs: checked * 50,
    etaMs: (total - checked) * 50,
    ...extra,
  };
}

export function resultOf(
  status: RotationResult['status'],
  extra: Partial<RotationResult> = {},
): RotationResult {
  return {
    status,
    table: 'vault',
    dryRun: false,
    scanned: 200,
    rotated: status === 'nothing-opened' ? 0 : 150,
    skipped: status === 'nothing-opened' ? 200 : 50,
    failed: 0,
    failures: [],
    seconds: 4.2,
    backupPath: '/vaults/app.db.backup-1.db',
    checkpointPath: status === 'cancelled' ? '/vaults/app.db.vault.checkpoint.json' : null,
    derivations: 200,
    ...extra,
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export class FakeVaultAdmin implements VaultAdminApi {
  /** vaults that exist, by path */
  readonly vaults = new Map<string, VaultSummary>();
  recent: string[] = [];
  /** what the "native dialog" picks (null = the user cancelled it) */
  dialogPick: string | null = null;
  /** the location the preload would read from a dropped File ('' = none) */
  droppedPath = '';
  preflightAnswer: IpcResult<PreflightResult> = {
    ok: true,
    value: {
      table: 'vault',
      total: 200,
      sampled: 16,
      opened: 12,
      malformed: 0,
      v2: { sampled: 16, opened: 12, malformed: 0 },
      v1: { sampled: 0, opened: 0, malformed: 0 },
      canRotate: true,
      estimatedSeconds: 9,
    },
  };
  verifyAnswer: IpcResult<VerifyResult> = {
    ok: true,
    value: { table: 'vault', checked: 32, opened: 24, notOpened: 8, malformed: 0 },
  };
  /** what "Test connection" answers */
  testConnectionAnswer: IpcResult<ConnectionTestResult> = {
    ok: true,
    value: {
      display: 'postgres://vault_admin@db.example:5432/app',
      driver: 'postgres',
      tables: [tableInfo('vault', 200)],
    },
  };
  /** what "Connect" answers (a server vault summary unless set) */
  connectAnswer: IpcResult<VaultSummary> | null = null;
  recentConnectionList: ServerConnection[] = [];
  /** what the CA file dialog picks (null = cancelled) */
  caFilePick: string | null = null;
  startError: IpcError | null = null;
  cancelError: IpcError | null = null;
  exportAnswer: IpcResult<string | null> = { ok: true, value: '/reports/report.json' };
  /** when true, startRotation waits for releaseStart() */
  holdStart = false;
  /**
   * a fresh rotation runs its own check at once, as main's does (its result: preflightAnswer);
   * false: the test emits the check's events itself
   */
  autoCheck = true;
  /** when set, preflight and verify answer only once it resolves (a check still running) */
  checkGate: Promise<void> | null = null;

  /** what checkDistributed answers */
  distributedCheckAnswer: IpcResult<DistributedCheckResult> = {
    ok: true,
    value: { queueAnswered: true, ledger: 'can-create', unfinished: null },
  };
  /** when set, checkDistributed answers only once it resolves */
  distributedCheckGate: Promise<void> | null = null;
  /** what distributedStatus answers (the ledger's rotation of the table) */
  distributedStatusAnswer: IpcResult<DistributedStatus | null> = { ok: true, value: null };
  /** what cancelDistributed answers */
  cancelDistributedAnswer: IpcResult<DistributedStatus | null> = { ok: true, value: null };
  recentQueueList: QueueConnection[] = [];

  readonly calls = {
    checkDistributed: [] as DistributedCheckRequest[],
    startDistributedRotation: [] as DistributedRotationRequest[],
    distributedStatus: [] as DistributedTableRequest[],
    cancelDistributed: [] as DistributedTableRequest[],
    preflight: [] as PreflightRequest[],
    /** the job id sent with each preflight */
    preflightJobIds: [] as string[],
    startRotation: [] as RotationRequest[],
    /** the job id sent with each startRotation */
    startRotationJobIds: [] as string[],
    /** job ids of every cancelJob (rotation, pre-flight, verify) */
    cancelJob: [] as string[],
    verify: [] as VerifyRequest[],
    /** the job id sent with each verify */
    verifyJobIds: [] as string[],
    exportReport: [] as ExportReportRequest[],
    /** paths opened (by dialog, drop or handle) */
    openVaultPath: [] as string[],
    testConnection: [] as ServerConnectionRequest[],
    connectDatabase: [] as ServerConnectionRequest[],
    closeVault: [] as string[],
  };

  private readonly listeners = new Set<(event: JobEvent) => void>();
  private heldStart: Deferred<void> | null = null;

  get listenerCount(): number {
    return this.listeners.size;
  }

  addVault(summary: VaultSummary): this {
    this.vaults.set(summary.path, summary);
    return this;
  }

  /** pushes an event as main would */
  emit(event: JobEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  releaseStart(): void {
    this.heldStart?.resolve();
  }

  async openVaultDialog(): Promise<IpcResult<VaultSummary | null>> {
    if (this.dialogPick === null) return { ok: true, value: null };
    return this.openPath(this.dialogPick);
  }

  async openVault(handle: string): Promise<IpcResult<VaultSummary>> {
    // Fake handles spell their path (handleOf); main's are random.
    const path = handle.startsWith('handle:') ? handle.slice('handle:'.length) : undefined;
    if (path === undefined) {
      return { ok: false, error: { code: 'VAULT_NOT_CHOSEN', message: 'Not chosen.' } };
    }
    return this.openPath(path);
  }

  private async openPath(path: string): Promise<IpcResult<VaultSummary>> {
    this.calls.openVaultPath.push(path);
    const summary = this.vaults.get(path);
    if (!summary) {
      return {
        ok: false,
        error: { code: 'FILE_NOT_FOUND', message: `There is no file at ${path}. Check the path.` },
      };
    }
    this.recent = [path, ...this.recent.filter((entry) => entry !== path)];
    return { ok: true, value: summary };
  }

  async openDroppedFile(_file: File): Promise<IpcResult<VaultSummary>> {
    if (!this.droppedPath) return { ok: false, error: DROPPED_WITHOUT_PATH };
    return this.openPath(this.droppedPath);
  }

  async recentVaults(): Promise<IpcResult<RecentVault[]>> {
    return { ok: true, value: this.recent.map((path) => ({ handle: handleOf(path), path })) };
  }

  async testConnection(request: ServerConnectionRequest): Promise<IpcResult<ConnectionTestResult>> {
    this.calls.testConnection.push({ ...request });
    return this.testConnectionAnswer;
  }

  async connectDatabase(request: ServerConnectionRequest): Promise<IpcResult<VaultSummary>> {
    this.calls.connectDatabase.push({ ...request });
    if (this.connectAnswer) return this.connectAnswer;
    const display = `${request.dialect}://${request.user}@${request.host}:${request.port}/${request.database}`;
    return {
      ok: true,
      value: vaultSummary(display, [tableInfo('vault', 200)], {
        handle: `server:${display}`,
        fileName: `${request.database} on ${request.host}`,
        driver: request.dialect,
      }),
    };
  }

  async recentConnections(): Promise<IpcResult<ServerConnection[]>> {
    return { ok: true, value: this.recentConnectionList };
  }

  async chooseCaFile(): Promise<IpcResult<string | null>> {
    return { ok: true, value: this.caFilePick };
  }

  async closeVault(handle: string): Promise<IpcResult<null>> {
    this.calls.closeVault.push(handle);
    return { ok: true, value: null };
  }

  async preflight(request: PreflightRequest, jobId: string): Promise<IpcResult<PreflightResult>> {
    this.calls.preflight.push(request);
    this.calls.preflightJobIds.push(jobId);
    await this.checkGate;
    return this.preflightAnswer;
  }

  async startRotation(
    request: RotationRequest,
    jobId: string,
  ): Promise<IpcResult<{ jobId: string }>> {
    this.calls.startRotation.push(request);
    const answer = await this.answerStart(jobId);
    if (answer.ok && this.autoCheck && !request.resume) this.runOwnCheck(request, jobId);
    return answer;
  }

  /**
   * Like main's rotate job, a fresh run's own check reports first: its result (preflightAnswer),
   * then a refusal is the job's error. (Pushed before the start is answered, as main may.)
   */
  private runOwnCheck(request: Pick<RotationRequest, 'scanAnyway'>, jobId: string): void {
    if (!this.preflightAnswer.ok) {
      this.emit({ type: 'error', jobId, error: this.preflightAnswer.error });
      return;
    }
    const result = this.preflightAnswer.value;
    this.emit({ type: 'preflight-result', jobId, result });
    const code = refusalCodeOf(result);
    if (code && !(request.scanAnyway && code !== 'WRONG_ARGON2_CONFIG')) {
      this.emit({ type: 'error', jobId, error: { code, message: `Refused: ${code}.` } });
    }
  }

  /** main answers a start at once (unless held), under the renderer's job id */
  private async answerStart(jobId: string): Promise<IpcResult<{ jobId: string }>> {
    this.calls.startRotationJobIds.push(jobId);
    if (this.holdStart) {
      this.heldStart = deferred<void>();
      await this.heldStart.promise;
    }
    if (this.startError) return { ok: false, error: this.startError };
    return { ok: true, value: { jobId } };
  }

  async checkDistributed(
    request: DistributedCheckRequest,
    _jobId: string,
  ): Promise<IpcResult<DistributedCheckResult>> {
    this.calls.checkDistributed.push(structuredClone(request));
    await this.distributedCheckGate;
    return this.distributedCheckAnswer;
  }

  /** Runs like startRotation: the same job ids, hold and start error. */
  async startDistributedRotation(
    request: DistributedRotationRequest,
    jobId: string,
  ): Promise<IpcResult<{ jobId: string }>> {
    this.calls.startDistributedRotation.push(structuredClone(request));
    const answer = await this.answerStart(jobId);
    // A fresh coordinator's own check is the pre-flight, as a rotate job's is.
    if (answer.ok && this.autoCheck && !request.resume) this.runOwnCheck(request, jobId);
    return answer;
  }

  async distributedStatus(
    request: DistributedTableRequest,
  ): Promise<IpcResult<DistributedStatus | null>> {
    this.calls.distributedStatus.push({ ...request });
    return this.distributedStatusAnswer;
  }

  async cancelDistributed(
    request: DistributedTableRequest,
  ): Promise<IpcResult<DistributedStatus | null>> {
    this.calls.cancelDistributed.push({ ...request });
    return this.cancelDistributedAnswer;
  }

  async recentQueues(): Promise<IpcResult<QueueConnection[]>> {
    return { ok: true, value: this.recentQueueList };
  }

  /** the job id of the latest startRotation (the renderer's) */
  get jobId(): string {
    const id = this.calls.startRotationJobIds.at(-1);
    if (id === undefined) throw new Error('no rotation was started');
    return id;
  }

  async cancelJob(jobId: string): Promise<IpcResult<null>> {
    this.calls.cancelJob.push(jobId);
    if (this.cancelError) return { ok: false, error: this.cancelError };
    return { ok: true, value: null };
  }

  async verify(request: VerifyRequest, jobId: string): Promise<IpcResult<VerifyResult>> {
    this.calls.verify.push(request);
    this.calls.verifyJobIds.push(jobId);
    await this.checkGate;
    return this.verifyAnswer;
  }

  /** what auditLog answers */
  auditEntries: AuditEntry[] = [];

  async auditLog(): Promise<IpcResult<AuditEntry[]>> {
    return { ok: true, value: this.auditEntries };
  }

  async exportReport(request: ExportReportRequest): Promise<IpcResult<string | null>> {
    this.calls.exportReport.push(request);
    return this.exportAnswer;
  }

  onJobEvent(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private readonly launchListeners = new Set<(summary: VaultSummary) => void>();

  onVaultOpened(listener: (summary: VaultSummary) => void): () => void {
    this.launchListeners.add(listener);
    return () => {
      this.launchListeners.delete(listener);
    };
  }

  /** what main does when the command line or the OS names a vault */
  launchVault(summary: VaultSummary): void {
    for (const listener of [...this.launchListeners]) listener(summary);
  }
}

/** The error code main's rotation ends with when its own check refuses; null when it passes. */
export function refusalCodeOf(result: PreflightResult): ErrorCode | null {
  if (result.canRotate) return null;
  if (result.refusal === 'already-rotated') return 'ALREADY_ROTATED';
  return result.refusal === 'nothing-opened' ? 'NOTHING_OPENED' : 'WRONG_ARGON2_CONFIG';
}

/** Lets pending promise callbacks (fake IPC answers) run. */
export async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) await Promise.resolve();
}
