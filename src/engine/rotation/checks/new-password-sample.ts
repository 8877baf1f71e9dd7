/**
 * After a run in which the old password opened nothing: does the NEW password
 * already open a few records? If so the vault was most likely rotated by an
 * earlier run (killed before it reported, or simply run twice), which is a
 * different message from "wrong password". Uses the job's running pool.
 */
import type { CryptoPool } from '../../pool/crypto-pool.js';
import type { VaultStore } from '../../storage/types.js';
import { NEW_PASSWORD } from '../run/pipeline.js';
import { sampleFilter, type RecordScope } from '../job/record-scope.js';
import type { NewPasswordSample } from '../types.js';

/** Few records: a handful of derivations tell "already rotated" from "wrong password". */
export const NEW_PASSWORD_SAMPLE_SIZE = 8;

export interface NewPasswordSampleSettings {
  readonly store: VaultStore;
  /** the records sampled from (the job's "now" keeps them the ones it read) */
  readonly scope: RecordScope;
  readonly pool: CryptoPool;
  /** the records about to be tested, then each one tested (progress) */
  readonly onQueued?: (records: number) => void;
  readonly onTested?: () => void;
}

export async function sampleWithNewPassword(
  settings: NewPasswordSampleSettings,
): Promise<NewPasswordSample & { readonly derivations: number }> {
  const { store, scope, pool } = settings;
  const records = await store.sampleRecords(
    scope.table,
    NEW_PASSWORD_SAMPLE_SIZE,
    sampleFilter(scope),
  );
  settings.onQueued?.(records.length);
  // Values written under the new password were sealed with the write config.
  const results = await Promise.all(
    records.map(async (record) => {
      const result = await pool.run({
        op: 'open',
        value: record.value,
        password: NEW_PASSWORD,
        config: 'write',
      });
      settings.onTested?.();
      return result;
    }),
  );
  let sampled = 0;
  let opened = 0;
  let derivations = 0;
  for (const { outcome, derivations: spent } of results) {
    derivations += spent;
    if (outcome.kind === 'aborted') continue;
    sampled++;
    if (outcome.kind === 'opened') opened++;
  }
  return { sampled, opened, derivations };
}
