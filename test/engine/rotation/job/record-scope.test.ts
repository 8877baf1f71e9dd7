/**
 * RecordScope: built once per job from its options, and turned into the
 * store's count/read/sample options in one place. Checked against a real
 * SQLite vault: the options it produces select exactly the records in scope.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  filterMismatch,
  isSavedScope,
  recordScope,
  sampleFilter,
  savedScope,
  scopeAfter,
  scopeFilter,
  scopeNotes,
} from '../../../../src/engine/rotation/job/record-scope.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { VaultStore } from '../../../../src/engine/storage/types.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { buildVault } from '../../../support/vault-builder.js';
import { PW_A } from '../support/rotation-checks.js';

const NOW = new Date('2026-01-02T03:04:05Z');

let dir: TempDir;
let store: VaultStore | null = null;
beforeEach(() => {
  dir = makeTempDir('vsa-record-scope-');
});
afterEach(async () => {
  await store?.close();
  store = null;
  dir.dispose();
});

describe('recordScope from job options', () => {
  it('includes soft-deleted records unless told otherwise, from the first record', () => {
    expect(recordScope('vault', {}, NOW)).toEqual({
      table: 'vault',
      includeSoftDeleted: true,
      now: NOW,
      afterKey: null,
    });
    expect(recordScope('vault', { includeSoftDeleted: false }, NOW).includeSoftDeleted).toBe(false);
  });

  it('becomes the store filter in one place; samples ignore the cursor', () => {
    const resumed = scopeAfter(recordScope('vault', { includeSoftDeleted: false }, NOW), '42');
    const filter = { includeSoftDeleted: false, now: NOW, upToKey: null };
    expect(scopeFilter(resumed)).toEqual({ ...filter, afterKey: '42' });
    expect(sampleFilter(resumed)).toEqual({ ...filter, afterKey: null });
    expect(scopeAfter(resumed, '42')).toBe(resumed);
    // A shard of a distributed rotation: its upper bound reaches the store too.
    const shard = { ...resumed, upToKey: '99' };
    expect(scopeFilter(shard)).toEqual({ ...filter, afterKey: '42', upToKey: '99' });
  });

  it('saves the table and filter (not the cursor or clock) and tells a different filter apart', () => {
    const skip = scopeAfter(recordScope('vault', { includeSoftDeleted: false }, NOW), '7');
    const all = recordScope('vault', {}, new Date());
    expect(savedScope(skip)).toEqual({ table: 'vault', includeSoftDeleted: false });
    expect(isSavedScope(savedScope(skip))).toBe(true);
    expect(isSavedScope({ table: 'vault' })).toBe(false);
    expect(filterMismatch(savedScope(skip), savedScope(skip))).toBeNull();
    expect(filterMismatch(savedScope(skip), savedScope(all))).toBe(
      'it skipped soft-deleted records',
    );
    expect(filterMismatch(savedScope(all), savedScope(skip))).toBe(
      'it included soft-deleted records',
    );
    expect(scopeNotes(all)).toEqual([]);
    expect(scopeNotes(skip)).toEqual([expect.stringContaining('Soft-deleted records were left')]);
  });

  it("selects exactly the records in scope in a real vault's count, pages and samples", async () => {
    const vault = await buildVault(join(dir.path, 'scope.db'), {
      records: Array.from({ length: 10 }, (_, i) => ({ password: PW_A, softDeleted: i % 3 === 0 })),
    });
    store = await openVault(vault.path, { readOnly: true });
    const live = vault.records.filter((record) => !record.softDeleted).map((record) => record.id);
    const all = recordScope(vault.table, {}, new Date());
    const liveOnly = recordScope(vault.table, { includeSoftDeleted: false }, new Date());
    expect(await store.countRecords(vault.table, scopeFilter(all))).toBe(10);
    expect(await store.countRecords(vault.table, scopeFilter(liveOnly))).toBe(live.length);

    const page = await store.readRecords(vault.table, { ...scopeFilter(liveOnly), limit: 100 });
    expect(page.map((record) => record.id).sort()).toEqual([...live].sort());
    const afterThird = scopeAfter(liveOnly, page[2]!.key);
    expect(await store.countRecords(vault.table, scopeFilter(afterThird))).toBe(live.length - 3);

    const sample = await store.sampleRecords(vault.table, 100, sampleFilter(afterThird));
    expect(sample.map((record) => record.id).sort()).toEqual([...live].sort());
  });
});
