/**
 * Runs one pool task per record with a bounded number in flight, results in
 * any order (verify, preflight). Stops dispatching when the signal aborts and
 * waits for the tasks in flight, which the pool ends after their current derivation.
 */
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { CryptoTask, CryptoTaskResult } from '../../pool/protocol.js';
import type { VaultRecord } from '../../storage/types.js';
import { runBoundedWindow } from '../run/bounded-window.js';

export interface ScanOnPoolOptions {
  readonly pool: CryptoPool;
  readonly next: () => VaultRecord | null | Promise<VaultRecord | null>;
  readonly taskFor: (record: VaultRecord) => CryptoTask;
  readonly onResult: (record: VaultRecord, result: CryptoTaskResult) => void;
  readonly window: number;
  readonly signal: AbortSignal | undefined;
}

export async function scanOnPool(options: ScanOnPoolOptions): Promise<{ cancelled: boolean }> {
  const { pool } = options;
  const { cancelled } = await runBoundedWindow({
    next: options.next,
    start: (record) => pool.run(options.taskFor(record)),
    ordered: false,
    window: options.window,
    isAborted: ({ outcome }) => outcome.kind === 'aborted',
    onResult: options.onResult,
    signal: options.signal,
    onAbort: () => pool.abort(),
  });
  return { cancelled };
}
