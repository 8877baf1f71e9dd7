/**
 * The distributed rotation as it crosses IPC (issue 19): the app coordinates
 * a rotation of a server vault whose shards other machines' `worker`
 * processes serve through a Redis queue. Plain types; ipc-contract.ts
 * re-exports them. Passwords (vault, Redis) travel only in requests, to main,
 * and never come back in an event, a status or a result.
 */
import type {
  DistributedProgress,
  DistributedResult,
  DistributedStatus,
} from '../core/distributed.js';
import type { RotationRequest, VaultHandle } from './ipc-types.js';

export type { DistributedProgress, DistributedResult, DistributedStatus };

/** The Redis queue as the recent list keeps it: never a password. */
export interface QueueConnection {
  /** redis://host:port[/db] or rediss://host:port[/db]; a password inside is refused */
  url: string;
  /** rediss: the CA certificate file (absolute path) that signed Redis's; null = the system's CAs */
  caFile: string | null;
}

/** The form's queue: the connection plus Redis's password ('' = none), held in main's memory only. */
export interface QueueConnectionRequest extends QueueConnection {
  password: string;
}

/** "Use other machines too": what a distributed pre-flight checks before the rotation starts. */
export interface DistributedCheckRequest {
  vault: VaultHandle;
  table: string;
  queue: QueueConnectionRequest;
}

/**
 * What the distributed checks found (a failure is an IpcError instead: QUEUE_UNREACHABLE,
 * QUEUE_AUTH, LEDGER_PERMISSION, DISTRIBUTED_SQLITE...).
 */
export interface DistributedCheckResult {
  /** Redis answered (PING) with these settings */
  queueAnswered: true;
  /** the ledger tables exist already, or this login may create them */
  ledger: 'exists' | 'can-create';
  /**
   * the table's distributed rotation that is running or unfinished (cancelled, or its
   * coordinator gone): a new one is refused while it exists; Resume or Cancel it instead
   */
  unfinished: DistributedStatus | null;
}

/** A single-machine RotationRequest plus the queue; no dry run, no restart (a resume instead). */
export interface DistributedRotationRequest extends Omit<RotationRequest, 'dryRun' | 'restart'> {
  queue: QueueConnectionRequest;
  /** this machine serves shards too (the app's worker pool), not only coordinates */
  workHere: boolean;
}

/** A distributed rotation of a table, named by the vault it is in. */
export interface DistributedTableRequest {
  vault: VaultHandle;
  table: string;
}

export function isDistributedResult(result: object): result is DistributedResult {
  return 'distributed' in result;
}
