/**
 * Messages between VaultService (parent) and engine-host.ts (worker thread).
 * One host runs exactly one operation. Passwords travel as transferred
 * Uint8Arrays, so the parent keeps no copy; the host zeroes them afterwards.
 */
import type {
  CoordinateOptions,
  DistributedProgress,
  DistributedReadiness,
  DistributedResult,
  DistributedStatus,
  DistributedTarget,
  QueueChoice,
  PreflightOptions,
  PreflightProgress,
  PreflightResult,
  RotationOptions,
  RotationProgress,
  RotationResult,
  VerifyOptions,
  VerifyProgress,
  VaultDriverPreference,
  VaultInspection,
  VerifyResult,
} from '../../engine/index.js';
import type { IpcError } from '../../shared/ipc-contract.js';

/** Functions and signals cannot cross a thread; the host makes its own. */
type Cloneable<T> = Omit<
  T,
  'signal' | 'onProgress' | 'onPreflight' | 'onPreflightProgress' | 'now'
>;

/** A distributed rotation to coordinate: the passwords (vault, database, Redis) transferred. */
export type CoordinateHostOptions = Omit<
  CoordinateOptions,
  'openQueue' | 'signal' | 'onProgress' | 'onWorkerEvent' | 'onPreflight' | 'onPreflightProgress'
>;

/** A table's ledger (status, cancel), its database password transferred. */
export interface LedgerHostOptions {
  readonly target: DistributedTarget;
}

/** The distributed checks: the ledger, and Redis with its password (transferred). */
export interface DistributedCheckHostOptions extends LedgerHostOptions {
  readonly queue: QueueChoice;
}

export interface InfoOptions {
  readonly vaultPath: string;
  readonly checkpointDir?: string | undefined;
  readonly driver?: VaultDriverPreference | undefined;
  readonly nativeBinding?: string | undefined;
  /** a server vault's database password (transferred; zeroed by the host after the job) */
  readonly serverPassword?: Uint8Array | undefined;
}

export type HostRequest =
  | { readonly type: 'info'; readonly options: InfoOptions }
  | { readonly type: 'preflight'; readonly options: Cloneable<PreflightOptions> }
  | { readonly type: 'rotate'; readonly options: Cloneable<RotationOptions> }
  | { readonly type: 'verify'; readonly options: Cloneable<VerifyOptions> }
  | { readonly type: 'coordinate'; readonly options: CoordinateHostOptions }
  | { readonly type: 'distributed-check'; readonly options: DistributedCheckHostOptions }
  | { readonly type: 'distributed-status'; readonly options: LedgerHostOptions }
  | { readonly type: 'distributed-cancel'; readonly options: LedgerHostOptions };

export type HostCommand = HostRequest | { readonly type: 'cancel' };

export interface HostResults {
  info: VaultInspection;
  preflight: PreflightResult;
  rotate: RotationResult;
  verify: VerifyResult;
  coordinate: DistributedResult;
  'distributed-check': DistributedReadiness;
  'distributed-status': DistributedStatus | null;
  'distributed-cancel': DistributedStatus | null;
}

/** The progress each operation reports (info reports none). */
export interface HostProgress {
  info: never;
  preflight: PreflightProgress;
  rotate: RotationProgress;
  verify: VerifyProgress;
  coordinate: DistributedProgress;
  'distributed-check': never;
  'distributed-status': never;
  'distributed-cancel': never;
}

export type HostReply =
  | { readonly type: 'progress'; readonly progress: HostProgress[keyof HostProgress] }
  /** a rotation's own check (its pre-flight), before its pass: progress, then the result */
  | { readonly type: 'preflight-progress'; readonly progress: PreflightProgress }
  | { readonly type: 'preflight'; readonly result: PreflightResult }
  | { readonly type: 'done'; readonly value: HostResults[keyof HostResults] }
  | { readonly type: 'failed'; readonly error: IpcError };

/** The source path spawnWorker takes; built as workers/engine-host.cjs next to the main bundle. */
export const ENGINE_HOST_WORKER = 'main/host/engine-host.ts';
