/**
 * The data that crosses the IPC boundary: requests, results, errors and job
 * events. Plain types (and one type guard), apart from the table of calls in
 * ipc-contract.ts, so the argument validation (ipc-validation.ts) can name
 * them without importing the table that uses it. ipc-contract.ts re-exports
 * everything here: import from there.
 */
import type { Argon2Config, Argon2PresetName } from '../core/argon2.js';
import type { DistributedProgress } from '../core/distributed.js';
import type { ErrorCode } from '../core/error-codes.js';
import type {
  PreflightProgress,
  PreflightResult,
  RotationProgress,
  RotationResult,
  UnfinishedRotation,
  VaultTableInfo,
  VerifyProgress,
} from '../core/types.js';
import type { ServerDialect, VaultDriverName } from '../core/vault-drivers.js';

/** Every call answers with a result; errors are data, not rejected promises. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface IpcError {
  /** an EngineErrorCode, or a code only the shell raises (core/error-codes.ts) */
  code: ErrorCode;
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
  /** rotations a cancel or crash left resumable, with the settings a resume must repeat */
  unfinishedRotations: UnfinishedRotation[];
  /** a checkpoint exists but cannot be resumed: what happened and what to do */
  checkpointProblem: string | null;
}

/** The database servers the app connects to (core's ServerDialect). */
export type { ServerDialect };

/** How the connection is encrypted: none, encrypted without checking the server, or fully verified. */
export type ServerTlsChoice = 'disable' | 'require' | 'verify-full';

/** Where a vault table lives in a database server, without the password (what the recent list keeps). */
export interface ServerConnection {
  dialect: ServerDialect;
  host: string;
  port: number;
  database: string;
  user: string;
  tls: ServerTlsChoice;
  /** CA certificate file (absolute path) for verify-full; null = the system's CAs */
  caFile: string | null;
}

/** The connect form: the connection plus the password, which main keeps in memory only. */
export interface ServerConnectionRequest extends ServerConnection {
  /** '' = none (the server trusts this login, or the client's own sources) */
  password: string;
}

/** What "Test connection" found: the server answered and these vault tables are there. */
export interface ConnectionTestResult {
  /** the connection string without the password */
  display: string;
  driver: VaultDriverName;
  tables: VaultTableInfo[];
}

export interface PreflightRequest {
  vault: VaultHandle;
  table: string;
  oldPassword: string;
  /**
   * when given and no sampled v2 record opens with the old password: a few
   * records are tested with it, which tells "already rotated" apart
   */
  newPassword?: string;
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
  /**
   * test every record although no sampled record opens with the old password
   * (the person confirmed "Rotate anyway"); omitted = false: the engine
   * refuses such a scan before it starts (NOTHING_OPENED / ALREADY_ROTATED)
   */
  scanAnyway?: boolean;
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

/**
 * Progress of a check: a pre-flight or verify job (its result or error answers the call that
 * started it), or a rotation's own check, which is its pre-flight (under the rotation's job id).
 */
export type CheckEvent =
  | { type: 'preflight-progress'; jobId: string; progress: PreflightProgress }
  | { type: 'verify-progress'; jobId: string; progress: VerifyProgress };

/**
 * Pushed about a distributed rotation job (besides the RotationEvent 'result' / 'error'
 * that end it; its result is then a DistributedResult): the whole rotation's progress,
 * read from the ledger about once a second, and the time main read it (ms since the epoch).
 */
export interface DistributedProgressEvent {
  type: 'distributed-progress';
  jobId: string;
  progress: DistributedProgress;
  atMs: number;
}

/**
 * A fresh rotation's own check, which is the pre-flight the app shows (a resume has none), on one
 * machine or a distributed coordinator's: its progress comes as 'preflight-progress' events under
 * the rotation's job id, then this result, before any 'progress' (or 'distributed-progress'). When it refuses, the job's 'error' (NOTHING_OPENED,
 * ALREADY_ROTATED, WRONG_ARGON2_CONFIG) follows, and nothing was written.
 */
export interface RotationPreflightEvent {
  type: 'preflight-result';
  jobId: string;
  result: PreflightResult;
}

/** What main pushes about a job (rotation, pre-flight or verify), always naming the renderer's job id. */
export type JobEvent =
  RotationEvent | RotationPreflightEvent | CheckEvent | DistributedProgressEvent;

export function isRotationEvent(event: JobEvent): event is RotationEvent {
  return event.type === 'progress' || event.type === 'result' || event.type === 'error';
}
