/**
 * The result, progress and sample types engine, CLI and app share: what a
 * rotation, pre-flight or verify reports. Declarations only (Node-free); the
 * engine-internal option types stay in the engine.
 */
import type { Argon2Config, Argon2PresetName } from './argon2.js';
import type { VaultDriverName } from './vault-drivers.js';

export type { VaultDriverName };

/** The Argon2id implementations the engine can run (native addon, WebAssembly fallback). */
export type Argon2BackendName = 'native' | 'wasm';

export type RotationPhase =
  'validating' | 'backing-up' | 'rotating' | 'finishing' | 'done' | 'cancelled' | 'failed';

export interface RotationProgress {
  readonly phase: RotationPhase;
  /** records to scan in this run (after the resume cursor) */
  readonly total: number;
  readonly scanned: number;
  readonly rotated: number;
  /** did not open with the old password */
  readonly skipped: number;
  /** malformed values, or guard lost to a concurrent change */
  readonly failed: number;
  /** bytes of values written */
  readonly bytes: number;
  /** records scanned per second */
  readonly ratePerSecond: number;
  readonly elapsedMs: number;
  readonly etaMs: number | null;
}

/** Phases of a verify or pre-flight check: 'checking' while records are opened. */
export type CheckPhase = 'starting' | 'checking' | 'done' | 'cancelled' | 'failed';

/** A verify in progress: `checked` = `opened` + `notOpened` + `malformed`. */
export interface VerifyProgress {
  readonly phase: CheckPhase;
  /** records to check (the sample size, or every record in scope) */
  readonly total: number;
  readonly checked: number;
  readonly opened: number;
  /** did not open with this password */
  readonly notOpened: number;
  readonly malformed: number;
  /** records checked per second */
  readonly ratePerSecond: number;
  readonly elapsedMs: number;
  readonly etaMs: number | null;
}

/**
 * A pre-flight in progress: `sampled` of `toSample` records tested so far
 * (`toSample` grows when a wider v2 sample follows); 'detecting-preset' while
 * library presets are tried, 'timing' while a write is timed.
 */
export interface PreflightProgress {
  readonly phase: CheckPhase | 'testing-new-password' | 'detecting-preset' | 'timing';
  readonly toSample: number;
  readonly sampled: number;
  readonly opened: number;
  readonly malformed: number;
  /**
   * The current phase's own work, so a bar moves with it: records tested
   * ('checking', 'testing-new-password'), preset trials (one derivation each,
   * 'detecting-preset'; the total assumes no preset opens, the phase may end
   * sooner), the write timed ('timing'). 0 of 0 otherwise.
   */
  readonly stepDone: number;
  readonly stepTotal: number;
  readonly elapsedMs: number;
}

/**
 * What a rotation did to records: the one counts shape of the engine's main
 * pass, its checkpoint (over all runs), its progress and its result.
 */
export interface RecordCounts {
  readonly scanned: number;
  /** re-encrypted and written (a dry run: would be) */
  readonly rotated: number;
  /** did not open with the old password */
  readonly skipped: number;
  /** malformed values, or writes lost to another program's */
  readonly failed: number;
  /** opened with the old password (rotated, or lost to a concurrent change) */
  readonly opened: number;
  /** bytes of values written */
  readonly bytes: number;
}

export type RecordFailureReason = 'malformed' | 'changed-concurrently';

export interface RecordFailure {
  readonly id: string;
  readonly reason: RecordFailureReason;
  readonly detail: string;
}

/**
 * - completed: every record of the table was visited exactly once (and, if
 *   another program wrote during the run, swept); none still opens with the
 *   old password unless it is listed as failed or soft-deleted records were excluded
 * - incomplete: another program kept writing records under the old password
 *   until the sweeps ran out, or an allowed trigger undid writes; records
 *   may still open with the old password; run again once that is fixed
 */
export type RotationStatus = 'completed' | 'cancelled' | 'nothing-opened' | 'incomplete';

/** The proof that the run visited every record: checked by the engine before it says completed. */
export interface RotationCoverage {
  /** records in scope when this run started (after the resume cursor) */
  readonly rowsAtStart: number;
  /** records the main pass visited (each exactly once) */
  readonly visited: number;
  /** another program committed to the vault during the run */
  readonly foreignWrites: boolean;
}

/** Records another program wrote during the run, re-examined after the main pass. */
export interface RotationSweep {
  readonly rounds: number;
  readonly examined: number;
  readonly changed: number;
  readonly inserted: number;
  readonly deleted: number;
  readonly rotated: number;
  /** the application was still writing under the old password when the rounds ran out */
  readonly stillWriting: boolean;
}

export interface RotationResult {
  readonly status: RotationStatus;
  readonly table: string;
  readonly dryRun: boolean;
  /** counts of this run plus, when resuming, those of the runs before */
  readonly scanned: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  /** at most 1000 listed; `failed` has the full count */
  readonly failures: readonly RecordFailure[];
  readonly seconds: number;
  readonly backupPath: string | null;
  /** present while the rotation can be resumed (cancelled); null once complete */
  readonly checkpointPath: string | null;
  /**
   * Argon2id derivations of the rotation itself: main pass (the sampled
   * records it took from the check included), sweep, new-password sample
   */
  readonly derivations: number;
  /**
   * derivations spent on the checks besides: the settings sample's records the
   * pass did not take, sealing or opening the resume canaries. The whole job
   * spent `derivations + checkDerivations`, each derivation counted once.
   */
  readonly checkDerivations?: number;
  /**
   * Of `derivations`, those the check before the pass did: sampled records it
   * opened (and re-encrypted) or found closed, which the pass took instead of
   * deriving them again.
   */
  readonly derivationsReused?: number;
  /**
   * Of `derivations`, those whose work was thrown away because the run was
   * cancelled (records after the checkpoint cursor are tested again on resume).
   */
  readonly derivationsDiscarded?: number;
  /** records that opened with the old password (rotated, or lost to a concurrent change); cumulative */
  readonly opened?: number;
  /** true when this run continued from a checkpoint */
  readonly resumed?: boolean;
  /** the counts of this run alone (the status is judged on them); the top-level counts add earlier runs */
  readonly thisRun?: Omit<RecordCounts, 'bytes'>;
  readonly coverage?: RotationCoverage;
  /** present when another program wrote to the vault during the run */
  readonly sweep?: RotationSweep;
  /** names of triggers on the table that ran on every rotated record (allowTriggers) */
  readonly triggers?: readonly string[];
  readonly workers?: number;
  readonly kdfBackend?: Argon2BackendName;
  /** the SQLite driver that ran the rotation (native better-sqlite3, or sql.js as fallback) */
  readonly driver?: VaultDriverName;
  /** sentences for people (e.g. what a dry run did not do); no secret */
  readonly notes?: readonly string[];
  /**
   * Present only when a real (not dry) run ends 'nothing-opened': a few
   * records (at most 8, picked at random) tested with the NEW password and the
   * write config. `opened` > 0 means the vault looks already rotated (an
   * earlier run completed). Its derivations are counted in `derivations`.
   */
  readonly newPasswordSample?: NewPasswordSample;
}

export interface NewPasswordSample {
  /** records tested (malformed ones included) */
  readonly sampled: number;
  /** of those, records that already open with the new password */
  readonly opened: number;
}

/**
 * Why a pre-flight (or the check before a run) refuses to start a rotation:
 * - 'wrong-settings': v1 records open but no v2 record does, or a library
 *   preset opens the v2 records that these settings do not;
 * - 'already-rotated': nothing opens with the old password, but sampled
 *   records already open with the new one;
 * - 'nothing-opened': no sampled record opens at all (wrong password, other
 *   Argon2id settings, or rotated to another password): scanning every
 *   record would almost surely end the same way.
 */
export type SampleRefusal = 'wrong-settings' | 'already-rotated' | 'nothing-opened';

/** Records of one value kind tested in a pre-flight. */
export interface PreflightKindSample {
  readonly sampled: number;
  readonly opened: number;
  readonly malformed: number;
}

export interface PreflightResult {
  readonly table: string;
  readonly total: number;
  /** v2 + v1 records tested (values that are neither are not sampled) */
  readonly sampled: number;
  readonly opened: number;
  readonly malformed: number;
  /** v2 and legacy v1 records, sampled separately (v1 values do not use the Argon2id settings) */
  readonly v2: PreflightKindSample;
  readonly v1: PreflightKindSample;
  /**
   * false when a rotation must not start (see `refusal`): the table has v2
   * records, some were tested and none opened (it would skip every one), or
   * no sampled record opened at all (it would scan every record for nothing).
   */
  readonly canRotate: boolean;
  /** when canRotate is false: why (the causes it lists differ) */
  readonly refusal?: SampleRefusal;
  /** when canRotate is false: a library preset that opened a sampled v2 record */
  readonly suggestedPreset?: Argon2PresetName;
  /** when no v2 record opened and a new password was given: sampled records that already open with it */
  readonly newPasswordSample?: NewPasswordSample;
  /** rough duration of the full rotation on this machine */
  readonly estimatedSeconds: number;
  /** derivations the full rotation would need (estimated from the sample) */
  readonly estimatedDerivations?: number;
  /** measured mean time of one derivation with the open config, in ms */
  readonly msPerDerivation?: number;
  readonly workers?: number;
  readonly kdfBackend?: Argon2BackendName;
  /** true when the signal stopped it early (counts cover what was sampled) */
  readonly cancelled?: boolean;
}

export interface VerifyResult {
  readonly table: string;
  readonly checked: number;
  readonly opened: number;
  readonly notOpened: number;
  readonly malformed: number;
  /** of `opened`, legacy v1 values (a rotation rewrites them as v2) */
  readonly openedV1?: number;
  /** true when the signal stopped it early (counts cover what was checked) */
  readonly cancelled?: boolean;
}

/** One vault table and its counts (the store's info()). */
export interface VaultTableInfo {
  readonly name: string;
  readonly records: number;
  readonly softDeleted: number;
  readonly expired: number;
  /** values starting with exactly "v2:" */
  readonly v2: number;
  /** other values that look like v1 (base64url text) */
  readonly v1: number;
  /** values that can be neither (empty, bad characters, ...) */
  readonly other: number;
}

export interface VaultInfo {
  readonly path: string;
  readonly fileSizeBytes: number;
  readonly driver: VaultDriverName;
  readonly tables: readonly VaultTableInfo[];
}

/** Counts of an unfinished rotation so far, over all its runs. */
export type UnfinishedRotationCounts = RecordCounts;

/**
 * A rotation that was cancelled or crashed and can be resumed: the settings a
 * resume must repeat, read from its checkpoint. Passwords are never stored,
 * so none is here; neither is anything about which record holds what.
 */
export interface UnfinishedRotation {
  readonly table: string;
  readonly checkpointPath: string;
  /** Argon2id config that opened the old values */
  readonly openConfig: Argon2Config;
  /** Argon2id config of the values it wrote */
  readonly writeConfig: Argon2Config;
  readonly includeSoftDeleted: boolean;
  /** ISO times: when the first run started, when the checkpoint was last written */
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly counts: UnfinishedRotationCounts;
  /** records of the table in the rotation's scope now; null when the table is gone */
  readonly recordsInScope: number | null;
  readonly backupPath: string | null;
  /** runs that contributed (1 for the first) */
  readonly runs: number;
  /** it stopped in its final sweep: a resume re-examines every record from the start */
  readonly redoFromStart: boolean;
}

/** What a vault holds, and what was left unfinished in it (engine: inspectVault). */
export interface VaultInspection extends VaultInfo {
  readonly unfinishedRotations: readonly UnfinishedRotation[];
  /**
   * A checkpoint exists but cannot be resumed (damaged, another version, for
   * another file): what happened and what to do. null when there is none.
   */
  readonly checkpointProblem: string | null;
}
