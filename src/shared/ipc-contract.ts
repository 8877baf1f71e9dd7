/**
 * The one contract between renderer, preload and main. Types only (plus the
 * channel names): the renderer imports it, so nothing here may need Node.
 * Runtime validation of what crosses the boundary lives in ipc-validation.ts.
 */
import type { Argon2Config, Argon2PresetName } from '../engine/argon2-config.js';
import type {
  PreflightResult,
  RotationProgress,
  RotationResult,
  VerifyResult,
} from '../engine/rotation/types.js';
import type { VaultDriverName, VaultTableInfo } from '../engine/storage/types.js';

export type {
  Argon2Config,
  PreflightResult,
  RotationProgress,
  RotationResult,
  VerifyResult,
  VaultTableInfo,
};

/** Channel names, main <-> preload. */
export const IPC_CHANNELS = {
  openVaultDialog: 'vault:open-dialog',
  /** a vault the user chose earlier (dialog, drop, recent list), by handle */
  openVault: 'vault:open',
  /** sent by the preload only: the path Electron gives for a dropped File (never one the page names) */
  openDroppedVault: 'vault:open-dropped',
  recentVaults: 'vault:recent',
  preflight: 'rotation:preflight',
  startRotation: 'rotation:start',
  cancelRotation: 'rotation:cancel',
  verify: 'vault:verify',
  /** stops a running pre-flight check or verification of a vault */
  cancelVaultJob: 'vault:cancel-job',
  exportReport: 'report:export',
  /** main -> renderer push */
  rotationEvent: 'rotation:event',
} as const;

/** Every call answers with a result; errors are data, not rejected promises. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface IpcError {
  /** EngineErrorCode, or 'INVALID_ARGUMENT' / 'BUSY' / 'INTERNAL' from the shell */
  code: string;
  /** human message: what happened and what to do */
  message: string;
}

export type Argon2Choice =
  | { preset: Exclude<Argon2PresetName, 'tiny'> | 'tiny' }
  | { preset: 'custom'; config: Argon2Config };

/**
 * Opaque id (random, from main) of a vault file the user chose in this
 * session: in the open dialog, by dropping it, or from the recent list. Every
 * call that works on a vault takes one; main refuses anything else, so the
 * page can never name a path of its own.
 */
export type VaultHandle = string;

export interface RecentVault {
  handle: VaultHandle;
  /** for display only */
  path: string;
}

export interface VaultSummary {
  handle: VaultHandle;
  /** for display only (title, report); calls take `handle` */
  path: string;
  fileName: string;
  fileSizeBytes: number;
  driver: VaultDriverName;
  tables: VaultTableInfo[];
  /** a cancelled or crashed rotation of this table can be resumed */
  resumableTables: string[];
}

export interface PreflightRequest {
  vault: VaultHandle;
  table: string;
  oldPassword: string;
  crypto: Argon2Choice;
  includeSoftDeleted: boolean;
}

export interface RotationRequest {
  vault: VaultHandle;
  table: string;
  oldPassword: string;
  newPassword: string;
  crypto: Argon2Choice;
  /** config for written values; omitted = same as crypto */
  newCrypto?: Argon2Choice;
  includeSoftDeleted: boolean;
  backup: boolean;
  dryRun: boolean;
  resume: boolean;
  /** discard an unfinished rotation of the table and start over; omitted = false */
  restart?: boolean;
  /** the vault's optional character rules for the new password; omitted = none */
  newPasswordPolicy?: PasswordRuleChoice;
}

/** The library's PasswordRequireUppercase/Lowercase/Numbers/Symbols (ASCII classes; a symbol is anything else). */
export interface PasswordRuleChoice {
  requireUpper: boolean;
  requireLower: boolean;
  requireDigit: boolean;
  requireSymbol: boolean;
}

export interface VerifyRequest {
  vault: VaultHandle;
  table: string;
  password: string;
  crypto: Argon2Choice;
  /** check this many random records; omitted = all */
  sampleSize?: number;
}

/** The vault jobs the renderer may cancel by vault (a rotation is cancelled by its job id). */
export type CancellableVaultJob = 'preflight' | 'verify';

export interface CancelVaultJobRequest {
  vault: VaultHandle;
  job: CancellableVaultJob;
}

export interface ExportReportRequest {
  format: 'json' | 'markdown';
  /** the report text, made by the renderer from a RotationResult (never holds a secret) */
  contents: string;
  suggestedName: string;
}

export type RotationEvent =
  | { type: 'progress'; jobId: string; progress: RotationProgress }
  | { type: 'result'; jobId: string; result: RotationResult }
  | { type: 'error'; jobId: string; error: IpcError };

/** What the preload exposes as `window.vaultAdmin` (and nothing else). */
export interface VaultAdminApi {
  openVaultDialog(): Promise<IpcResult<VaultSummary | null>>;
  openVault(handle: VaultHandle): Promise<IpcResult<VaultSummary>>;
  /** a File dropped on the window; its location never passes through the page */
  openDroppedFile(file: File): Promise<IpcResult<VaultSummary>>;
  recentVaults(): Promise<IpcResult<RecentVault[]>>;
  preflight(request: PreflightRequest): Promise<IpcResult<PreflightResult>>;
  startRotation(request: RotationRequest): Promise<IpcResult<{ jobId: string }>>;
  cancelRotation(jobId: string): Promise<IpcResult<null>>;
  verify(request: VerifyRequest): Promise<IpcResult<VerifyResult>>;
  /** the running pre-flight or verify answers early with `cancelled: true`; nothing running is not an error */
  cancelVaultJob(request: CancelVaultJobRequest): Promise<IpcResult<null>>;
  /** asks where to save; null when the user cancelled the dialog */
  exportReport(request: ExportReportRequest): Promise<IpcResult<string | null>>;
  /** returns the unsubscribe function */
  onRotationEvent(listener: (event: RotationEvent) => void): () => void;
}
