/**
 * The public figures of a distributed rotation (engine/distributed): what
 * its progress, status and result carry. Here, beside core/types.ts, so the
 * shells (CLI, app) and the IPC contract name them without the engine.
 */
import type { Argon2Config } from './argon2.js';
import type { RotationResult } from './types.js';

/** A rotation's state in the ledger. */
export type LedgerState = 'running' | 'cancelled' | 'completed' | 'incomplete' | 'failed';

export interface ShardCounts {
  readonly scanned: number;
  readonly opened: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  /** of failed: guarded writes lost to another program */
  readonly changed: number;
  readonly bytes: number;
  readonly derivations: number;
  readonly sweepExamined: number;
  readonly sweepRotated: number;
  readonly sweepFailed: number;
}

/**
 * The WorkerRow.state values a worker writes: 'working' while it serves, 'left' once it
 * stopped, 'refused' when its old or new password did not open the rotation's canaries
 * (it claimed nothing; the screen says "refused: wrong password"). 'lost' is written by no
 * worker: a result's summary says it of one still 'working' but not seen for
 * WORKER_LOST_AFTER_MS when the rotation ended (killed, or cut off).
 */
export const WORKER_STATE = {
  working: 'working',
  left: 'left',
  refused: 'refused',
  lost: 'lost',
} as const;

/**
 * A worker not seen for longer than this (ms since its lastSeenMs) has lost its shard to
 * another worker (the queue's lock time): the screen shows it "lost".
 */
export const WORKER_LOST_AFTER_MS = 30_000;

export interface WorkerRow {
  readonly worker: string;
  readonly host: string;
  readonly pool: number;
  readonly backend: string;
  readonly state: string;
  readonly records: number;
  /** records per second lately */
  readonly rate: number;
  readonly lastSeenMs: number;
  /**
   * in progress events: the shard of the current round it holds in the ledger (its owner, not
   * done); null when it holds none. The ledger's own rows do not carry it.
   */
  readonly shard?: number | null;
}

export interface WorkerSummary {
  readonly worker: string;
  readonly host: string;
  readonly pool: number;
  readonly backend: string;
  readonly records: number;
  readonly state: string;
}

/** A shard whose last run failed: its EngineError code, never a message. */
export interface ShardFailure {
  readonly shard: number;
  readonly code: string;
}

export interface DistributedProgress {
  readonly rotation: string;
  readonly phase: 'planning' | 'pass' | 'sweep' | 'finishing';
  readonly round: number;
  readonly total: number;
  readonly scanned: number;
  readonly rotated: number;
  readonly skipped: number;
  readonly failed: number;
  readonly shards: number;
  readonly shardsDone: number;
  /** every worker that joined, with its recent rate (records/s) and when it was last seen */
  readonly workers: readonly WorkerRow[];
  /** shards whose last run failed, with the code (retried by the queue) */
  readonly failing: readonly ShardFailure[];
}

export interface DistributedStatus {
  readonly rotation: string;
  readonly table: string;
  readonly state: LedgerState;
  readonly round: number;
  readonly rowsAtStart: number;
  readonly shards: number;
  readonly shardsDone: number;
  readonly counts: ShardCounts;
  readonly coordinator: string | null;
  readonly heartbeatMs: number | null;
  readonly startedMs: number;
  /** the settings a resume must repeat (the coordinator refuses others) */
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
  readonly includeSoftDeleted: boolean;
  readonly workers: readonly WorkerRow[];
  /** shards whose last run failed, with the code */
  readonly failing: readonly ShardFailure[];
}

export type DistributedResult = RotationResult & {
  readonly distributed: {
    readonly rotation: string;
    readonly shards: number;
    readonly sweepRounds: number;
    readonly workers: readonly WorkerSummary[];
  };
};
