/**
 * Shard cuts on real PostgreSQL and MariaDB servers: ranges (lo, hi] from
 * the server's own ordering of odd text ids (mixed case, accents, leading
 * spaces, digits as text) under a case- and accent-insensitive collation
 * (MariaDB) and the database's and an ICU collation (PostgreSQL), counted
 * in one snapshot; read back range by range through the store's reader
 * bound, they hold every record exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../../../src/engine/distributed/ledger/ledger.js';
import { boundsFromCuts, planShards } from '../../../src/engine/distributed/plan-shards.js';
import type { VaultStore } from '../../../src/engine/storage/types.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import { loadFixture, openStore, serverDatabase } from './support/distributed-setup.js';

const NOW = new Date('2026-06-01T00:00:00Z');

/** Every record of (lo, hi] through the store's pages (small pages: many cursor steps). */
async function keysIn(store: VaultStore, lo: string | null, hi: string | null): Promise<string[]> {
  const keys: string[] = [];
  let after = lo;
  for (;;) {
    const page = await store.readRecords('vault', { afterKey: after, upToKey: hi, limit: 7 });
    if (page.length === 0) return keys;
    keys.push(...page.map((record) => record.key));
    after = page.at(-1)!.key;
  }
}

describe('boundsFromCuts', () => {
  it('makes unbounded ends and chains each range to the one before', () => {
    expect(boundsFromCuts([])).toEqual([{ lo: null, hi: null }]);
    expect(boundsFromCuts(['b', 'a'])).toEqual([
      { lo: null, hi: 'b' },
      { lo: 'b', hi: 'a' },
      { lo: 'a', hi: null },
    ]);
  });
});

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind))(`shard cuts on ${kind}`, () => {
    const suite = serverDatabase(kind);
    let store: VaultStore | null = null;

    beforeEach(async () => {
      await suite.owner.query('DROP TABLE IF EXISTS vault, vault_meta');
      await loadFixture(suite.owner);
    });
    afterEach(async () => {
      await store?.close();
      store = null;
    });

    /** Ids the client would sort differently from the server: case, accents, spaces, numbers as text. */
    async function oddIds(collation: string): Promise<void> {
      if (kind === 'mysql') {
        await suite.owner.query(
          `ALTER TABLE vault MODIFY id varchar(64) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`,
        );
        await suite.owner
          .query(`UPDATE vault v JOIN (SELECT id, row_number() OVER (ORDER BY vault_token) AS n FROM vault) o
          ON o.id = v.id SET v.id = CASE o.n % 5 WHEN 0 THEN concat('a', o.n) WHEN 1 THEN concat('B', o.n)
          WHEN 2 THEN concat('é', o.n) WHEN 3 THEN concat(' x', o.n) ELSE concat(o.n, '') END`);
      } else {
        await suite.owner.query(
          `ALTER TABLE vault ALTER COLUMN id TYPE varchar(64) COLLATE "${collation}"`,
        );
        await suite.owner
          .query(`UPDATE vault v SET id = CASE o.n % 5 WHEN 0 THEN 'a' || o.n WHEN 1 THEN 'B' || o.n
          WHEN 2 THEN 'é' || o.n WHEN 3 THEN ' x' || o.n ELSE o.n::text END
          FROM (SELECT id, row_number() OVER (ORDER BY vault_token) AS n FROM vault) o WHERE o.id = v.id`);
      }
    }

    async function collations(): Promise<string[]> {
      if (kind === 'mysql') return ['utf8mb4_general_ci', 'utf8mb4_bin'];
      const icu = await suite.owner.query<{ collname: string }>(
        `SELECT collname FROM pg_collation WHERE collname IN ('und-x-icu', 'en-US-x-icu') ORDER BY collname`,
      );
      return ['default', 'C', ...icu.slice(0, 1).map((row) => row.collname)];
    }

    it('odd text ids under every collation: the ranges hold every record once and add up', async () => {
      for (const collation of await collations()) {
        await suite.owner.query('DROP TABLE IF EXISTS vault, vault_meta');
        await loadFixture(suite.owner);
        await oddIds(collation);
        store = await openStore(suite.db);
        const ledger = Ledger.of(store, null);
        const plan = await planShards(store, ledger, {
          table: 'vault',
          filter: { includeSoftDeleted: true, now: NOW },
          shards: 7,
        });
        expect(plan.shards, collation).toHaveLength(7);
        expect(plan.rowsAtStart, collation).toBe(200);
        expect(plan.shards.reduce((sum, shard) => sum + shard.rowsAtStart, 0)).toBe(200);
        // Cut at every 29th key: each range but the last holds 29 records.
        expect(plan.shards.slice(0, 6).map((shard) => shard.rowsAtStart)).toEqual(
          Array(6).fill(29),
        );
        const seen: string[] = [];
        for (const shard of plan.shards) {
          const keys = await keysIn(store, shard.lo, shard.hi);
          expect(keys, `${collation} (${shard.lo}, ${shard.hi}]`).toHaveLength(shard.rowsAtStart);
          seen.push(...keys);
        }
        const all = await suite.owner.query<{ id: string }>('SELECT id FROM vault');
        expect(new Set(seen).size, collation).toBe(seen.length);
        expect([...seen].sort(), collation).toEqual(all.map((row) => String(row.id)).sort());
        await store.close();
        store = null;
      }
    });

    it('counts only the records in scope, per shard and in all', async () => {
      store = await openStore(suite.db);
      const ledger = Ledger.of(store, null);
      const filter = { includeSoftDeleted: false, now: NOW };
      const plan = await planShards(store, ledger, { table: 'vault', filter, shards: 4 });
      const live = await store.countRecords('vault', filter);
      expect(live).toBeLessThan(200);
      expect(plan.rowsAtStart).toBe(live);
      expect(plan.shards.reduce((sum, shard) => sum + shard.rowsAtStart, 0)).toBe(live);
    });

    it('more shards asked for than records: one record per shard at most, still a partition', async () => {
      await suite.owner.query(
        kind === 'mysql'
          ? 'DELETE FROM vault LIMIT 195'
          : 'DELETE FROM vault WHERE id IN (SELECT id FROM vault LIMIT 195)',
      );
      store = await openStore(suite.db);
      const plan = await planShards(store, Ledger.of(store, null), {
        table: 'vault',
        filter: { includeSoftDeleted: true, now: NOW },
        shards: 50,
      });
      expect(plan.shards).toHaveLength(5);
      expect(plan.shards.map((shard) => shard.rowsAtStart)).toEqual([1, 1, 1, 1, 1]);
      expect(plan.shards[0]!.lo).toBeNull();
      expect(plan.shards[4]!.hi).toBeNull();
    });
  });
}
