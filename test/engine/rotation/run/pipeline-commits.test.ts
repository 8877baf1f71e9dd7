/**
 * When the pipeline commits (and moves the resume cursor), driven directly
 * with a real store, a real RecordReader and a real worker pool:
 * - a run where no record opens still commits its cursor on the clock
 *   (commitIntervalMs), so a crash does not redo the whole table;
 * - a batch is flushed when its values reach batchMaxBytes, whatever
 *   batchSize says, so multi-MB values never pile up in one transaction;
 * - the host thread collects its garbage on a budget of records and bytes
 *   (issue 20: its old generation held 3-5 times what was alive).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CryptoPool } from '../../../../src/engine/pool/crypto-pool.js';
import {
  RotationPipeline,
  type PipelineSettings,
} from '../../../../src/engine/rotation/run/pipeline.js';
import { RecordReader } from '../../../../src/engine/rotation/run/record-reader.js';
import { recordScope } from '../../../../src/engine/rotation/job/record-scope.js';
import { formatSqliteDateTime, openVault } from '../../../../src/engine/storage/index.js';
import type { VaultStore } from '../../../../src/engine/storage/types.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import {
  buildVault,
  openStoredValue,
  readRows,
  type BuiltVault,
} from '../../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, PW_B, bytes, tiny } from '../support/rotation-checks.js';

const RECORDS = 40;

let dir: TempDir;
let store: VaultStore | null = null;
let pool: CryptoPool | null = null;

beforeEach(() => {
  dir = makeTempDir('vsa-pipeline-');
});
afterEach(async () => {
  await pool?.close();
  await store?.close();
  pool = null;
  store = null;
  dir.dispose();
});

interface Commit {
  readonly cursor: string | null;
  /** records accounted for when the commit happened */
  readonly scanned: number;
}

/** Runs a pipeline over the whole table; returns its commits in order. */
async function runPipeline(
  vault: BuiltVault,
  settings: Pick<PipelineSettings, 'batchSize' | 'commitIntervalMs'> &
    Partial<Pick<PipelineSettings, 'batchMaxBytes' | 'collectionBudget'>>,
): Promise<{ commits: Commit[]; pipeline: RotationPipeline; lastKey: string }> {
  store = await openVault(vault.path);
  pool = await CryptoPool.start({
    size: 2,
    passwords: [bytes(PW_A), bytes(NEW_PASSWORD)],
    openConfig: tiny,
  });
  const commits: Commit[] = [];
  const now = new Date();
  const lastKey = (await store.readRecords(vault.table, { limit: RECORDS + 1, now })).at(-1)!.key;
  const scope = recordScope(vault.table, {}, now);
  const pipeline: RotationPipeline = new RotationPipeline({
    store,
    scope,
    pool,
    records: new RecordReader(store, { keyKind: 'rowid', scope, pageSize: 16 }),
    dryRun: false,
    window: 16,
    signal: undefined,
    updatedAt: () => formatSqliteDateTime(new Date()),
    beforeFirstWrite: async () => {},
    onCommit: (cursor) => commits.push({ cursor, scanned: pipeline.counts.scanned }),
    onRecord: () => {},
    ...settings,
  });
  const { cancelled } = await pipeline.run();
  expect(cancelled).toBe(false);
  return { commits, pipeline, lastKey };
}

function expectAdvancingCursors(commits: readonly Commit[]): void {
  const cursors = commits.map((commit) => BigInt(commit.cursor ?? '0'));
  for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!).toBe(true);
}

describe('RotationPipeline commits', () => {
  it('commits an advancing cursor on the clock before the end when no record opens', async () => {
    const vault = await buildVault(join(dir.path, 'none-open.db'), {
      records: Array.from({ length: RECORDS }, () => ({ password: PW_B })),
    });
    const { commits, pipeline, lastKey } = await runPipeline(vault, {
      batchSize: 64,
      commitIntervalMs: 0,
    });
    expect(pipeline.counts).toMatchObject({ scanned: RECORDS, skipped: RECORDS, rotated: 0 });
    // Nothing to write, so only the clock can commit: before the last record, and more than once.
    expect(commits.length).toBeGreaterThan(1);
    expect(commits[0]!.scanned).toBeLessThan(RECORDS);
    expect(commits[0]!.cursor).not.toBe(lastKey);
    expect(commits.at(-1)!.cursor).toBe(lastKey);
    expectAdvancingCursors(commits);
  });

  it('flushes a batch at batchMaxBytes although batchSize is far larger', async () => {
    const vault = await buildVault(join(dir.path, 'bytes.db'), {
      records: Array.from({ length: RECORDS }, () => ({ password: PW_A })),
    });
    const valueBytes = vault.records[0]!.value.length;
    // about three records (read + rewritten values) per batch
    const batchMaxBytes = valueBytes * 6;
    const { commits, pipeline, lastKey } = await runPipeline(vault, {
      batchSize: 1000,
      batchMaxBytes,
      commitIntervalMs: 1e9,
    });
    expect(pipeline.counts).toMatchObject({ scanned: RECORDS, rotated: RECORDS, failed: 0 });
    expect(commits.length).toBeGreaterThanOrEqual(RECORDS / 5);
    expect(commits[0]!.scanned).toBeLessThan(RECORDS);
    expect(commits.at(-1)!.cursor).toBe(lastKey);
    expectAdvancingCursors(commits);
    // every record was written under the new password
    for (const row of readRows(vault.path, vault.table).values()) {
      expect((await openStoredValue(row.vault_value, NEW_PASSWORD, tiny)).ok, row.id).toBe(true);
    }
  });

  it("collects the host thread's garbage every collectionBudget.tasks records", async () => {
    const vault = await buildVault(join(dir.path, 'collect-tasks.db'), {
      records: Array.from({ length: RECORDS }, (_, i) => ({ password: i % 2 ? PW_A : PW_B })),
    });
    const { pipeline } = await runPipeline(vault, {
      batchSize: 64,
      commitIntervalMs: 1e9,
      collectionBudget: { tasks: 8, bytes: Number.POSITIVE_INFINITY },
    });
    expect(pipeline.counts).toMatchObject({ scanned: RECORDS, rotated: RECORDS / 2 });
    expect(pipeline.collector.collections).toBe(RECORDS / 8);
  });

  it('collects sooner when the records carry many bytes of values', async () => {
    // Values of one length (the builder's random secrets vary): the budget below is in records.
    const vault = await buildVault(join(dir.path, 'collect-bytes.db'), {
      records: Array.from({ length: RECORDS }, (_, i) => ({
        password: PW_A,
        plaintext: `secret ${String(i).padStart(6, '0')}`,
      })),
    });
    const valueBytes = vault.records[0]!.value.length;
    // a rotated record counts its value read and the one written: about two records per collection
    const { pipeline } = await runPipeline(vault, {
      batchSize: 64,
      commitIntervalMs: 1e9,
      collectionBudget: { tasks: 1e9, bytes: valueBytes * 4 },
    });
    expect(pipeline.counts).toMatchObject({ scanned: RECORDS, rotated: RECORDS });
    expect(pipeline.collector.collections).toBeGreaterThanOrEqual(RECORDS / 3);
    expect(pipeline.collector.collections).toBeLessThanOrEqual(RECORDS / 2);
  });
});
