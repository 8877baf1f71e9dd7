/**
 * A store that reports more writes than its batch held (each record twice, or
 * a record that was not in the batch) must stop the rotation with an internal
 * error, never be counted as rotated records: driven with a real SQLite store
 * whose answer is doctored, a real RecordReader and a real worker pool.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CryptoPool } from '../../../../src/engine/pool/crypto-pool.js';
import { RotationPipeline } from '../../../../src/engine/rotation/run/pipeline.js';
import { RecordReader } from '../../../../src/engine/rotation/run/record-reader.js';
import { recordScope } from '../../../../src/engine/rotation/job/record-scope.js';
import { formatSqliteDateTime, openVault } from '../../../../src/engine/storage/index.js';
import type { VaultStore, WriteBatchResult } from '../../../../src/engine/storage/types.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { buildVault } from '../../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from '../support/rotation-checks.js';

const RECORDS = 12;

let dir: TempDir;
let store: VaultStore | null = null;
let pool: CryptoPool | null = null;

beforeEach(() => {
  dir = makeTempDir('vsa-overcount-');
});
afterEach(async () => {
  await pool?.close();
  await store?.close();
  pool = null;
  store = null;
  dir.dispose();
});

/** The real store, its writeBatch answer passed through `doctor`. */
function doctored(
  real: VaultStore,
  doctor: (result: WriteBatchResult) => WriteBatchResult,
): VaultStore {
  return new Proxy(real, {
    get(target, property) {
      if (property === 'writeBatch') {
        return async (...args: Parameters<VaultStore['writeBatch']>) =>
          doctor(await target.writeBatch(...args));
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
}

async function rotateWith(
  doctor: (result: WriteBatchResult) => WriteBatchResult,
): Promise<RotationPipeline> {
  const vault = await buildVault(join(dir.path, 'vault.db'), {
    records: Array.from({ length: RECORDS }, () => ({ password: PW_A })),
  });
  store = await openVault(vault.path);
  pool = await CryptoPool.start({
    size: 2,
    passwords: [bytes(PW_A), bytes(NEW_PASSWORD)],
    openConfig: tiny,
  });
  const scope = recordScope(vault.table, {}, new Date());
  const lying = doctored(store, doctor);
  const pipeline = new RotationPipeline({
    store: lying,
    scope,
    pool,
    records: new RecordReader(lying, { keyKind: 'rowid', scope, pageSize: 16 }),
    dryRun: false,
    batchSize: 4,
    commitIntervalMs: 1e9,
    window: 8,
    signal: undefined,
    updatedAt: () => formatSqliteDateTime(new Date()),
    beforeFirstWrite: async () => {},
    onCommit: () => {},
    onRecord: () => {},
  });
  await pipeline.run();
  return pipeline;
}

describe('a store that reports more writes than its batch held', () => {
  it('passes an honest store: every record rotated once', async () => {
    const pipeline = await rotateWith((result) => result);
    expect(pipeline.counts).toMatchObject({ scanned: RECORDS, rotated: RECORDS, failed: 0 });
  });

  it('stops with INTERNAL when each written record is reported twice', async () => {
    const error = await rotateWith((result) => ({
      written: [...result.written, ...result.written],
      guardFailed: result.guardFailed,
    })).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code, error?.message).toBe('INTERNAL');
    expect(error!.message).toContain('the store reported 8 written and 0 left unchanged');
    expect(error!.message).toContain('batch of 4 record(s)');
  });

  it('stops with INTERNAL when a record outside the batch is reported written', async () => {
    const error = await rotateWith((result) => ({
      written: [...result.written.slice(1), 'not-in-the-batch'],
      guardFailed: result.guardFailed,
    })).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code, error?.message).toBe('INTERNAL');
    expect(error!.message).toContain('1 of them not, or not once, in the batch');
  });
});
