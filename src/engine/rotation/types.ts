import type {
  PreflightProgress,
  PreflightResult,
  RotationProgress,
  VerifyProgress,
} from '../../core/types.js';
import type { Argon2Config } from '../../core/argon2.js';
import type { Argon2BackendPreference } from '../kdf/types.js';
import type { VaultDriverPreference } from '../storage/types.js';

/** The result / progress types live in core (shared by engine, CLI and app); re-exported so engine imports keep working. */
export type {
  CheckPhase,
  NewPasswordSample,
  PreflightKindSample,
  PreflightProgress,
  PreflightResult,
  RecordFailure,
  RecordCounts,
  RecordFailureReason,
  RotationCoverage,
  RotationPhase,
  RotationProgress,
  RotationResult,
  RotationStatus,
  RotationSweep,
  SampleRefusal,
  VerifyProgress,
  VerifyResult,
} from '../../core/types.js';

/** Default VaultStore password policy: at least 16 UTF-8 bytes. */
export const DEFAULT_MIN_PASSWORD_BYTES = 16;

/**
 * The library's optional password rules (PasswordMinLength and
 * PasswordRequireUppercase/Lowercase/Numbers/Symbols), for the new password.
 * Upper/lower/digit mean ASCII A-Z/a-z/0-9; a symbol is any other character.
 */
export interface NewPasswordRules {
  /** default: minPasswordBytes, else DEFAULT_MIN_PASSWORD_BYTES */
  readonly minBytes?: number;
  readonly requireUpper?: boolean;
  readonly requireLower?: boolean;
  readonly requireDigit?: boolean;
  readonly requireSymbol?: boolean;
}

/** The options that choose a job's records (rotation, pre-flight, verify): see record-scope.ts. */
export interface RecordScopeOptions {
  /** default true (the Go library skips them, which leaves the old password alive in them) */
  readonly includeSoftDeleted?: boolean | undefined;
}

/** How a job (rotation, pre-flight, verify) reaches the vault and runs its crypto. */
export interface JobRuntimeOptions {
  /** worker pool size; default os.availableParallelism() */
  readonly workers?: number | undefined;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  readonly driver?: VaultDriverPreference | undefined;
  readonly nativeBinding?: string | undefined;
  /** a vault in a database server (vaultPath is its connection string): its password, bytes the caller zeroes */
  readonly serverPassword?: Uint8Array | undefined;
  readonly signal?: AbortSignal | undefined;
  /**
   * minimum ms between progress events (default 100); phase changes and the
   * final event always go out
   */
  readonly progressIntervalMs?: number | undefined;
}

export interface RotationOptions extends RecordScopeOptions, JobRuntimeOptions {
  /** a vault file, or a connection string (postgres://user@host/db, mysql://...) */
  readonly vaultPath: string;
  /** vault table; may be omitted when the file holds exactly one */
  readonly table?: string | undefined;
  /** UTF-8 bytes; the engine copies them to its workers and zeroes its copies after the job */
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
  /** Argon2id config the store uses to open values */
  readonly openConfig: Argon2Config;
  /** config for values we write; defaults to openConfig */
  readonly writeConfig?: Argon2Config | undefined;
  /** count what would rotate; write nothing (no backup either) */
  readonly dryRun?: boolean | undefined;
  /** default true: online backup next to the vault before the first write */
  readonly backup?: boolean | undefined;
  /** explicit backup file path (implies backup) */
  readonly backupPath?: string | undefined;
  /**
   * A vault in a database server: the backup as this new table in the same
   * database instead of a local SQLite file (implies backup).
   */
  readonly backupTable?: string | undefined;
  /**
   * continue from the checkpoint of a cancelled or crashed run, after proving
   * it is the same rotation; with no checkpoint, start from the beginning
   */
  readonly resume?: boolean | undefined;
  /**
   * discard the checkpoint of an unfinished rotation and start over; without
   * it (and without resume) an unfinished rotation is UNFINISHED_ROTATION
   */
  readonly restart?: boolean | undefined;
  /** rotate although the table has triggers (they run on every rotated record) */
  readonly allowTriggers?: boolean | undefined;
  /**
   * skip the check that refuses Argon2id settings under which legacy v1
   * records open but no sampled v2 record does (a vault whose v2 records are
   * all under other passwords)
   */
  readonly skipConfigCheck?: boolean | undefined;
  /**
   * test every record even when no sampled record opens with the old
   * password (by default such a run is refused before the scan:
   * NOTHING_OPENED or ALREADY_ROTATED), e.g. when the old password protects
   * only a few records the sample may miss
   */
  readonly scanAnyway?: boolean | undefined;
  /** where checkpoints live; default: next to the vault file */
  readonly checkpointDir?: string | undefined;
  /** default DEFAULT_MIN_PASSWORD_BYTES */
  readonly minPasswordBytes?: number | undefined;
  /** the vault's character-class rules for the new password (minBytes overrides minPasswordBytes) */
  readonly newPasswordPolicy?: NewPasswordRules | undefined;
  /** records per write transaction; default 64 */
  readonly batchSize?: number | undefined;
  /**
   * commit the cursor at least this often (ms) when few records rotate, so a
   * crash loses little; default per driver (2 s, sql.js 30 s)
   */
  readonly commitIntervalMs?: number | undefined;
  readonly busyTimeoutMs?: number | undefined;
  /** a server: how long one statement may go unanswered before the connection is dropped (default 15 min) */
  readonly serverTimeoutMs?: number | undefined;
  readonly onProgress?: ((progress: RotationProgress) => void) | undefined;
  /**
   * A fresh run's check on a sample, told as a pre-flight: its progress, then
   * its result (before a refusal is thrown, and when cancelled during it).
   * The sampled records that opened are rotated by the check itself and
   * taken by the pass, so this is the only pre-flight a rotation needs.
   */
  readonly onPreflightProgress?: ((progress: PreflightProgress) => void) | undefined;
  readonly onPreflight?: ((preflight: PreflightResult) => void) | undefined;
  /** clock for soft-deleted checks and updated_at (tests) */
  readonly now?: (() => Date) | undefined;
  /** who takes the vault's rotation lock, shown to a rotation it refuses: 'cli', 'app'... (default 'engine') */
  readonly lockTool?: string | undefined;
}

export interface PreflightOptions extends RecordScopeOptions, JobRuntimeOptions {
  readonly vaultPath: string;
  readonly table?: string | undefined;
  readonly oldPassword: Uint8Array;
  /**
   * Optional: when no v2 record opens with the old password, a few records are
   * tested with it (write config) to tell "already rotated" (newPasswordSample).
   */
  readonly newPassword?: Uint8Array | undefined;
  readonly openConfig: Argon2Config;
  readonly writeConfig?: Argon2Config | undefined;
  /** v2 records to test, and as many v1 records (default 16) */
  readonly sampleSize?: number | undefined;
  readonly onProgress?: ((progress: PreflightProgress) => void) | undefined;
}

export interface VerifyOptions extends RecordScopeOptions, JobRuntimeOptions {
  readonly vaultPath: string;
  readonly table?: string | undefined;
  readonly password: Uint8Array;
  readonly config: Argon2Config;
  /** check at most this many records (evenly spread); default: all */
  readonly sampleSize?: number | undefined;
  readonly onProgress?: ((progress: VerifyProgress) => void) | undefined;
}
