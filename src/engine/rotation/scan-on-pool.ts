/**
 * Runs one pool task per record with a bounded number in flight, results in
 * any order (verify, preflight). Stops dispatching when the signal aborts and
 * waits for the tasks in flight, which the pool ends after their current derivation.
 */
import type { CryptoPool } from '../pool/crypto-pool.js';
import type { CryptoTask, CryptoTaskResult } from '../pool/protocol.js';
import type { VaultRecord } from '../storage/types.js';

export interface ScanOnPoolOptions {
  readonly pool: CryptoPool;
  readonly next: () => VaultRecord | null;
  readonly taskFor: (record: VaultRecord) => CryptoTask;
  readonly onResult: (record: VaultRecord, result: CryptoTaskResult) => void;
  readonly window: number;
  readonly signal: AbortSignal | undefined;
}

export async function scanOnPool(options: ScanOnPoolOptions): Promise<{ cancelled: boolean }> {
  const { pool, signal } = options;
  let inFlight = 0;
  let exhausted = false;
  let dropped = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const wakeUp = (): void => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  signal?.addEventListener('abort', wakeUp);
  try {
    for (;;) {
      if (signal?.aborted) pool.abort();
      while (!signal?.aborted && !exhausted && inFlight < options.window) {
        const record = options.next();
        if (!record) {
          exhausted = true;
          break;
        }
        inFlight++;
        pool.run(options.taskFor(record)).then(
          (result) => {
            inFlight--;
            if (result.outcome.kind === 'aborted') dropped = true;
            else options.onResult(record, result);
            wakeUp();
          },
          (error: unknown) => {
            inFlight--;
            failure ??= error;
            wakeUp();
          },
        );
      }
      if (failure) throw failure;
      if (inFlight === 0 && (exhausted || signal?.aborted))
        return { cancelled: !exhausted || dropped };
      if (inFlight === 0) continue;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener('abort', wakeUp);
  }
}
