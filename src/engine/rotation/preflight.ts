/**
 * preflightRotation: tests the old password on a small random sample before
 * committing to a long job, and estimates its duration from the derivation
 * times measured here: (tests + writes) x time per derivation / pool size.
 */
import { CryptoPool } from '../pool/crypto-pool.js';
import { openVault } from '../storage/index.js';
import type { VaultStore } from '../storage/types.js';
import { sameArgon2Config } from './argon2-spec.js';
import { choosePoolSize, windowFor } from './pool-size.js';
import { scanOnPool } from './scan-on-pool.js';
import type { PreflightOptions, PreflightResult } from './types.js';
import {
  assertPasswordGiven,
  assertPositiveInteger,
  resolveVaultTable,
  validateArgon2Config,
} from './validation.js';

export const DEFAULT_PREFLIGHT_SAMPLE = 16;

export async function preflightRotation(options: PreflightOptions): Promise<PreflightResult> {
  assertPasswordGiven(options.oldPassword, 'old');
  validateArgon2Config(options.openConfig, 'open');
  const writeConfig = options.writeConfig ?? options.openConfig;
  validateArgon2Config(writeConfig, 'write');
  assertPositiveInteger(options.sampleSize, 'sample size');
  assertPositiveInteger(options.workers, 'number of workers');
  const includeSoftDeleted = options.includeSoftDeleted ?? true;
  const password = new Uint8Array(options.oldPassword);

  let store: VaultStore | null = null;
  let pool: CryptoPool | null = null;
  try {
    store = await openVault(options.vaultPath, {
      driver: options.driver,
      readOnly: true,
      nativeBinding: options.nativeBinding,
    });
    const table = resolveVaultTable(store, options.table);
    const now = new Date();
    const total = store.countRecords(table, { includeSoftDeleted, now });
    const sample = store.sampleRecords(table, options.sampleSize ?? DEFAULT_PREFLIGHT_SAMPLE, {
      includeSoftDeleted,
      now,
    });
    const rotationWorkers = choosePoolSize(
      options.workers,
      [options.openConfig, writeConfig],
      total,
    );
    // The rotation's concurrency, so the measured times include the same contention.
    pool = await CryptoPool.start({
      size: Math.min(rotationWorkers, Math.max(1, sample.length)),
      passwords: [password],
      openConfig: options.openConfig,
      writeConfig,
      kdfBackend: options.kdfBackend,
    });
    password.fill(0);

    const tally = { sampled: 0, opened: 0, malformed: 0, tested: 0, openMs: 0 };
    let index = 0;
    const { cancelled } = await scanOnPool({
      pool,
      next: () => sample[index++] ?? null,
      taskFor: (record) => ({ op: 'open', value: record.value, password: 0 }),
      onResult: (_record, result) => {
        tally.sampled++;
        if (result.outcome.kind === 'opened') tally.opened++;
        if (result.outcome.kind === 'malformed') tally.malformed++;
        if (result.derivations > 0) {
          tally.tested++;
          tally.openMs += result.openDeriveMs;
        }
      },
      window: windowFor(pool.size),
      signal: options.signal,
    });

    const msPerOpen = tally.tested > 0 ? tally.openMs / tally.tested : 0;
    let msPerWrite = msPerOpen;
    const needWriteTiming =
      tally.opened > 0 && (msPerOpen === 0 || !sameArgon2Config(options.openConfig, writeConfig));
    if (needWriteTiming && !cancelled) {
      const probe = await pool.run({ op: 'probe-write' });
      msPerWrite = probe.writeDeriveMs;
    }
    const share = (count: number): number =>
      tally.sampled > 0 ? (total * count) / tally.sampled : 0;
    const tests = share(tally.tested);
    const writes = share(tally.opened);
    return {
      table,
      total,
      sampled: tally.sampled,
      opened: tally.opened,
      malformed: tally.malformed,
      estimatedSeconds: (tests * msPerOpen + writes * msPerWrite) / rotationWorkers / 1000,
      estimatedDerivations: Math.round(tests + writes),
      msPerDerivation: msPerOpen,
      workers: rotationWorkers,
      kdfBackend: pool.backend,
      cancelled,
    };
  } finally {
    password.fill(0);
    await pool?.close();
    store?.close();
  }
}
