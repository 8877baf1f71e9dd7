/**
 * The public types of the distributed rotation (the engine API the CLI
 * uses: docs in /docs/distributed.md) and the ledger's rows as the engine
 * reads them.
 */
import type { Argon2Config } from '../../core/argon2.js';
import type { Argon2BackendPreference } from '../kdf/types.js';
import type { OpenVaultOptions } from '../storage/types.js';
import type { QueueSettings, ShardQueue } from './queue/index.js';
import type { LedgerState, ShardCounts } from '../../core/distributed.js';

export type {
  DistributedProgress,
  DistributedResult,
  DistributedStatus,
  LedgerState,
  ShardCounts,
  ShardFailure,
  WorkerRow,
  WorkerSummary,
} from '../../core/distributed.js';

export interface DistributedTarget {
  /** postgres://... or mysql://... (a SQLite file is refused: DISTRIBUTED_SQLITE) */
  readonly vaultPath: string;
  readonly table: string;
  /** serverPassword etc., as rotateVault takes them */
  readonly open?: OpenVaultOptions | undefined;
  /** the ledger's schema (PostgreSQL) or database (MySQL); default: the vault table's */
  readonly ledgerSchema?: string | undefined;
}

export interface DistributedCrypto {
  readonly openConfig: Argon2Config;
  /** default openConfig */
  readonly writeConfig?: Argon2Config | undefined;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  readonly skipConfigCheck?: boolean | undefined;
  readonly scanAnyway?: boolean | undefined;
}

export interface ShardRow extends ShardCounts {
  readonly shard: number;
  /** (lo, hi]: null lo from the first key, null hi to the last */
  readonly lo: string | null;
  readonly hi: string | null;
  readonly rowsAtStart: number;
  readonly epoch: number;
  readonly owner: string | null;
  /** 0: the main pass; r >= 1: sweep round r */
  readonly round: number;
  readonly done: boolean;
  readonly cursor: string | null;
  /** the round's own figures (a sweep round: records read, found written by others, of them opened) */
  readonly roundRead: number;
  readonly roundFound: number;
  readonly roundOpened: number;
  /** records a sweep round found gone (visited before, deleted or soft-deleted out of scope since) */
  readonly roundDeleted: number;
  /** the code of the last failure a run of it hit (never a message) */
  readonly failure: string | null;
}

export interface RotationRow {
  readonly id: string;
  readonly table: string;
  readonly state: LedgerState;
  readonly now: Date;
  readonly includeSoftDeleted: boolean;
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
  readonly canaries: { readonly old: string; readonly new: string };
  readonly rowsAtStart: number;
  readonly shardCount: number;
  readonly boundsHash: string;
  /** the round the shards work on (0: main pass) */
  readonly round: number;
  readonly coordinator: string | null;
  readonly heartbeatMs: number | null;
  readonly startedMs: number;
  readonly updatedMs: number;
}

export type WorkerEvent =
  | { readonly type: 'waiting' }
  | { readonly type: 'joined'; readonly rotation: string; readonly worker: string }
  | {
      readonly type: 'shard';
      readonly shard: number;
      readonly phase: 'pass' | 'sweep';
      readonly round: number;
      readonly outcome: 'done' | 'fenced' | 'stopped' | 'skipped';
      readonly scanned: number;
    }
  | { readonly type: 'left'; readonly state: LedgerState | 'finished' | null };

export interface WorkerOutcome {
  readonly rotation: string | null;
  /**
   * the rotation's state when the worker left ('finished': its ledger rows
   * were already dropped, which happens only once it ended; null: the worker
   * was stopped by its signal first)
   */
  readonly state: LedgerState | 'finished' | null;
  readonly shardsRun: number;
  readonly records: number;
}

/** Opens the queue (default: openShardQueue, BullMQ on Redis). */
export type OpenShardQueue = (settings: QueueSettings) => Promise<ShardQueue>;
