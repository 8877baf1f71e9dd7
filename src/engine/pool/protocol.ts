/**
 * Messages between the crypto pool (host thread) and its workers. Plain data
 * only (structured clone); no password ever travels in a task or a reply.
 */
import type { Argon2Config } from '../../core/argon2.js';
import type { Argon2BackendName, Argon2BackendPreference } from '../kdf/types.js';
import type { ValueVersion } from '../codec/types.js';

/** Given once to each worker at start (copied by structured clone). */
export interface CryptoWorkerData {
  readonly kdfBackend: Argon2BackendPreference;
  /** UTF-8 bytes; tasks refer to them by index. Zeroed by the worker on close. */
  readonly passwords: Uint8Array[];
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
  /** Int32 slot 0: 1 once the job is cancelled (shared by every worker) */
  readonly abortFlag: SharedArrayBuffer;
}

/**
 * - `open`: test `value` with password `password` (verify, preflight, dry run),
 *   deriving with the open config, or with the write config when `config` is
 *   'write' (values this tool wrote under the new password).
 * - `rotate`: open with `from`, then re-encrypt with `to` (fresh salt and nonce).
 * - `probe-write`: one derivation with the write config on a random password,
 *   to time it (preflight estimate when the write config differs).
 * - `seal`: a canary value, see below.
 */
export type CryptoTask =
  | {
      readonly op: 'open';
      readonly value: string;
      readonly password: number;
      /** default 'open' */
      readonly config?: 'open' | 'write';
    }
  | { readonly op: 'rotate'; readonly value: string; readonly from: number; readonly to: number }
  | { readonly op: 'probe-write' }
  /**
   * `seal`: encrypt a random throwaway plaintext under password `password`
   * (a canary: later proves a password is the same without storing it).
   */
  | { readonly op: 'seal'; readonly password: number; readonly config: 'open' | 'write' };

export type CryptoOutcome =
  | { readonly kind: 'rotated'; readonly version: ValueVersion; readonly newValue: string }
  | { readonly kind: 'opened'; readonly version: ValueVersion }
  | { readonly kind: 'not-opened'; readonly version: ValueVersion }
  | { readonly kind: 'malformed'; readonly version: ValueVersion; readonly detail: string }
  /** the job was cancelled before this task could finish: nothing to keep */
  | { readonly kind: 'aborted' }
  | { readonly kind: 'probed' }
  | { readonly kind: 'sealed'; readonly newValue: string };

export interface CryptoTaskResult {
  readonly outcome: CryptoOutcome;
  /** Argon2id derivations spent on this task (0, 1 or 2) */
  readonly derivations: number;
  /** time spent deriving the key that opened (or failed to open) the value */
  readonly openDeriveMs: number;
  /** time spent deriving the new key (rotate, probe-write) */
  readonly writeDeriveMs: number;
}

export type HostToWorker =
  | { readonly type: 'task'; readonly id: number; readonly task: CryptoTask }
  | { readonly type: 'close' };

export type WorkerToHost =
  | { readonly type: 'ready'; readonly backend: Argon2BackendName }
  | { readonly type: 'init-failed'; readonly code: string; readonly message: string }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly result: CryptoTaskResult;
      readonly v1KeysDerived: number;
    }
  | {
      readonly type: 'task-failed';
      readonly id: number;
      readonly code: string;
      readonly message: string;
    }
  /** `zeroed`: the worker checked its password and v1 key copies are all zero */
  | { readonly type: 'closed'; readonly zeroed: boolean };

export const ABORT_SLOT = 0;
