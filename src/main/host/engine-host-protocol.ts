/**
 * Messages between VaultService (parent) and engine-host.ts (worker thread).
 * One host runs exactly one operation. Passwords travel as transferred
 * Uint8Arrays, so the parent keeps no copy; the host zeroes them afterwards.
 */
import type {
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
type Cloneable<T> = Omit<T, 'signal' | 'onProgress' | 'now'>;

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
  | { readonly type: 'verify'; readonly options: Cloneable<VerifyOptions> };

export type HostCommand = HostRequest | { readonly type: 'cancel' };

export interface HostResults {
  info: VaultInspection;
  preflight: PreflightResult;
  rotate: RotationResult;
  verify: VerifyResult;
}

/** The progress each operation reports (info reports none). */
export interface HostProgress {
  info: never;
  preflight: PreflightProgress;
  rotate: RotationProgress;
  verify: VerifyProgress;
}

export type HostReply =
  | { readonly type: 'progress'; readonly progress: HostProgress[keyof HostProgress] }
  | { readonly type: 'done'; readonly value: HostResults[keyof HostResults] }
  | { readonly type: 'failed'; readonly error: IpcError };

/** The source path spawnWorker takes; built as workers/engine-host.cjs next to the main bundle. */
export const ENGINE_HOST_WORKER = 'main/host/engine-host.ts';
