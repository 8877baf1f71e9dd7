/**
 * Shard runs on real PostgreSQL and MariaDB servers (tiny preset): two
 * "workers" (own connection, own pool) share the shards of the fixture
 * table and rotate it (checked record by record and by vsref); a zombie
 * whose shard was claimed again is fenced at its next commit and writes
 * nothing more; the same shard run twice counts once; no password in any
 * ledger row.
 */
import { describe, afterEach, beforeEach, expect, it } from 'vitest';
import { Ledger } from '../../../src/engine/distributed/ledger/ledger.js';
import { sumShardCounts } from '../../../src/engine/distributed/ledger/rows.js';
import { runShard, type ShardRunReport } from '../../../src/engine/distributed/shard-run.js';
import type { ShardJob } from '../../../src/engine/distributed/queue/index.js';
import type { ShardRow } from '../../../src/engine/distributed/types.js';
import type { CryptoPool } from '../../../src/engine/pool/crypto-pool.js';
import type { VaultStore } from '../../../src/engine/storage/types.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import { readServerVault, readSqliteVault } from '../../support/server-vault-copy.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import { expectedCounts } from '../rotation/support/rotation-checks.js';
import {
  FIXTURE,
  NEW_PASSWORD,
  PW_A,
  expectServerFixtureRotated,
  ledgerText,
  loadFixture,
  manifest,
  openStore,
  planFixtureRotation,
  spellings,
  startPool,
  type PlannedRotation,
  serverDatabase,
} from './support/distributed-setup.js';

interface TestWorker {
  readonly name: string;
  readonly store: VaultStore;
  readonly ledger: Ledger;
  readonly pool: CryptoPool;
}

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind))(`shard runs on ${kind}`, () => {
    const suite = serverDatabase(kind);
    let dir: TempDir;
    let planned: PlannedRotation | null = null;
    const workers: TestWorker[] = [];

    beforeEach(async () => {
      dir = makeTempDir('vsa-shard-run-');
      await suite.owner.query(
        'DROP TABLE IF EXISTS vault, vault_meta, vsa_visit, vsa_worker, vsa_shard, vsa_rotation',
      );
      await loadFixture(suite.owner);
    });
    afterEach(async () => {
      for (const worker of workers.splice(0)) {
        await worker.pool.close();
        await worker.store.close();
      }
      await planned?.dispose();
      planned = null;
      dir.dispose();
    });

    async function worker(name: string): Promise<TestWorker> {
      const store = await openStore(suite.db);
      const made = { name, store, ledger: Ledger.of(store, null), pool: await startPool() };
      workers.push(made);
      return made;
    }

    function run(
      by: TestWorker,
      job: Omit<ShardJob, 'rotation'>,
      extra: {
        signal?: AbortSignal;
        batchSize?: number;
        onRecord?: () => void;
        onCommitted?: (records: number) => void;
        beforeFinish?: () => Promise<unknown>;
      } = {},
    ): Promise<ShardRunReport> {
      return runShard({
        store: by.store,
        ledger: by.ledger,
        rotation: planned!.rotation,
        job: { rotation: planned!.rotation.id, ...job },
        owner: by.name,
        pool: by.pool,
        keyKind: 'id',
        batchSize: extra.batchSize ?? 8,
        commitIntervalMs: 60_000,
        ...extra,
      });
    }

    /** Each worker takes the next shard not taken, until none is left (a queue's claim order). */
    async function runRound(
      phase: 'pass' | 'sweep',
      round: number,
      by: TestWorker[],
    ): Promise<ShardRunReport[]> {
      let next = 0;
      const reports: ShardRunReport[] = [];
      await Promise.all(
        by.map(async (w) => {
          for (let shard = next++; shard < planned!.rotation.shardCount; shard = next++) {
            reports.push(await run(w, { phase, round, shard }));
          }
        }),
      );
      return reports;
    }

    it('two workers share the shards; the table is rotated and the shard counts add up', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 6 });
      const [a, b] = [await worker('worker-a'), await worker('worker-b')];
      const pass = await runRound('pass', 0, [a, b]);
      expect(pass.map((report) => report.outcome)).toEqual(Array(6).fill('done'));
      const sweep = await runRound('sweep', 1, [a, b]);
      expect(sweep.map((report) => report.outcome)).toEqual(Array(6).fill('done'));

      const shards = await planned.ledger.shards(planned.rotation.id);
      const expected = expectedCounts(manifest, PW_A);
      const total = sumShardCounts(shards);
      expect(total).toMatchObject({
        scanned: expected.scanned,
        rotated: expected.rotated,
        skipped: expected.skipped,
        failed: 0,
        sweepExamined: 0,
      });
      // The sweep read every record, each as its shard's pass left it.
      expect(shards.reduce((sum, shard) => sum + shard.roundRead, 0)).toBe(200);
      expect(
        shards.every((shard) => shard.done && shard.round === 1 && shard.roundFound === 0),
      ).toBe(true);
      await expectServerFixtureRotated(suite.owner, dir.path);
      // No password, in any spelling, in any ledger row.
      const ledger = await ledgerText(suite.owner);
      for (const secret of [PW_A, NEW_PASSWORD, suite.db.password]) {
        for (const spelling of spellings(secret)) expect(ledger).not.toContain(spelling);
      }
    });

    it('beforeFinish runs once per shard, after its last commit and before it is done', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 3 });
      const a = await worker('worker-a');
      const seen: { committed: number; done: boolean }[] = [];
      let committed = 0;
      for (let shard = 0; shard < 3; shard++) {
        const report = await run(
          a,
          { phase: 'pass', round: 0, shard },
          {
            onCommitted: (records) => (committed += records),
            beforeFinish: async () => {
              const row = (await planned!.ledger.shards(planned!.rotation.id))[shard]!;
              seen.push({ committed, done: row.done });
            },
          },
        );
        expect(report.outcome).toBe('done');
      }
      const shards = await planned.ledger.shards(planned.rotation.id);
      // Each call saw its shard not yet done, with every record of the shards so far committed.
      let sum = 0;
      expect(seen).toEqual(
        shards.map((shard) => ({ committed: (sum += shard.scanned), done: false })),
      );
      expect(shards.every((shard) => shard.done)).toBe(true);
    });

    it('a sweep round finds a record another program wrote behind the pass, and rotates it', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 3 });
      const a = await worker('worker-a');
      await runRound('pass', 0, [a]);
      // The application writes an old-password value (copied from another record) behind the cursors.
      const original = readSqliteVault(FIXTURE);
      const oldValue = original.find((row) => manifest.records[row.id]!.password === PW_A)!;
      const target = original.find(
        (row) => row.id !== oldValue.id && manifest.records[row.id]!.password === PW_A,
      )!;
      const quote = kind === 'mysql' ? '?' : '$1';
      await suite.owner.query(
        `UPDATE vault SET vault_value = ${quote} WHERE id = ${kind === 'mysql' ? '?' : '$2'}`,
        [oldValue.vault_value, target.id],
      );
      // ...and deletes another one.
      const gone = original.find((row) => row.id !== target.id && row.id !== oldValue.id)!;
      await suite.owner.query(`DELETE FROM vault WHERE id = ${quote}`, [gone.id]);
      const sweep = await runRound('sweep', 1, [a]);
      expect(sweep.every((report) => report.outcome === 'done')).toBe(true);
      const shards = await planned.ledger.shards(planned.rotation.id);
      expect(shards.reduce((sum, shard) => sum + shard.roundFound, 0)).toBe(1);
      expect(shards.reduce((sum, shard) => sum + shard.roundDeleted, 0)).toBe(1);
      expect(shards.reduce((sum, shard) => sum + shard.roundRead, 0)).toBe(199);
      expect(sumShardCounts(shards)).toMatchObject({ sweepExamined: 1, sweepRotated: 1 });
      // The next round finds nothing.
      await runRound('sweep', 2, [a]);
      const after = await planned.ledger.shards(planned.rotation.id);
      expect(after.reduce((sum, shard) => sum + shard.roundFound, 0)).toBe(0);
      const rows = await readServerVault(suite.owner);
      expect(rows.find((row) => row.id === target.id)!.vault_value).not.toBe(oldValue.vault_value);
    });

    it('a zombie fenced out of its shard writes nothing more; the new owner finishes it exactly once', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 1 });
      const [zombie, rescuer] = [await worker('zombie'), await worker('rescuer')];
      const before = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
      let fencedAt: string | null = null;
      let records = 0;
      const committed = { zombie: 0, rescuer: 0 };
      let claimed: Promise<unknown> | null = null;
      const report = await run(
        zombie,
        { phase: 'pass', round: 0, shard: 0 },
        {
          batchSize: 4,
          onCommitted: (count) => (committed.zombie += count),
          onRecord: () => {
            // After a few commits, another worker claims the shard (the zombie's lock had expired).
            if (++records === 20 && claimed === null) {
              claimed = rescuer.ledger
                .claim(planned!.rotation.id, 0, 0, 'rescuer')
                .then(async (claim) => {
                  fencedAt = (await rescuer.ledger.shard(planned!.rotation.id, 0))!.cursor;
                  return claim;
                });
            }
          },
        },
      );
      await claimed;
      expect(report.outcome).toBe('fenced');
      expect(fencedAt).not.toBeNull();
      // Nothing after the cursor at the claim was written by the zombie.
      const rows = await readServerVault(suite.owner);
      const changed = rows
        .filter((row) => row.vault_value !== before.get(row.id))
        .map((row) => row.id);
      const shard = (await planned.ledger.shard(planned.rotation.id, 0))!;
      expect(shard.cursor).toBe(fencedAt);
      const keys = (
        await zombie.store.readRecords(planned.table, { upToKey: fencedAt, limit: 1000 })
      ).map((record) => record.key);
      for (const id of changed) expect(keys, `${id} written after the fence`).toContain(id);
      // A worker's own total counts only batches that stayed: up to the cursor at the claim.
      expect(committed.zombie).toBe(keys.length);
      expect(records).toBeGreaterThan(committed.zombie);
      // The rescuer continues from the cursor; the shard's counts are exact.
      const rescued = await run(
        rescuer,
        { phase: 'pass', round: 0, shard: 0 },
        { onCommitted: (count) => (committed.rescuer += count) },
      );
      expect(rescued.outcome).toBe('done');
      const expected = expectedCounts(manifest, PW_A);
      expect(committed.zombie + committed.rescuer).toBe(expected.scanned);
      expect(sumShardCounts([(await planned.ledger.shard(planned.rotation.id, 0))!])).toMatchObject(
        {
          scanned: expected.scanned,
          rotated: expected.rotated,
          skipped: expected.skipped,
        },
      );
      await run(rescuer, { phase: 'sweep', round: 1, shard: 0 });
      await expectServerFixtureRotated(suite.owner, dir.path);
    });

    it("a claim made while the owner's batch commits takes the row as committed", async () => {
      planned = await planFixtureRotation(suite.db, { shards: 1 });
      const id = planned.rotation.id;
      const first = await planned.ledger.claim(id, 0, 0, 'worker-a');
      expect(first?.epoch).toBe(1);
      const b = await worker('worker-b');
      // The owner's batch, mid-commit: the shard row locked with its new cursor and counts.
      const batch = await suite.db.connect();
      const param = (n: number): string => (kind === 'postgres' ? `$${n}` : '?');
      try {
        await batch.query(kind === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
        await batch.query(
          `UPDATE vsa_shard SET cursor_key = ${param(1)}, scanned = scanned + 8
            WHERE rotation = ${param(2)} AND shard = 0`,
          ['k-committed', id],
        );
        // Another worker's claim reads the row (the committed one, before the batch) and waits.
        let settled = false;
        const claiming = b.ledger.claim(id, 0, 0, 'worker-b').finally(() => (settled = true));
        // Its UPDATE runs (blocked by the batch's lock) on another connection of this database.
        const claimRunning = async (): Promise<boolean> => {
          const [row] = await suite.db.admin.query<{ n: number }>(
            kind === 'postgres'
              ? `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
                  AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'UPDATE%vsa_shard%SET epoch%'`
              : `SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE()
                  AND ID <> CONNECTION_ID() AND INFO LIKE 'UPDATE%vsa_shard%SET epoch%'`,
          );
          return Number(row!.n) > 0;
        };
        while (!settled && !(await claimRunning())) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(settled, "the claim did not wait for the batch's lock").toBe(false);
        await batch.query('COMMIT');
        const second = await claiming;
        // Not the row it read before the commit: the batch's cursor and count are kept.
        expect(second).toMatchObject({ epoch: 2, owner: 'worker-b' });
        expect(second!.row).toMatchObject({ cursor: 'k-committed', scanned: 8 });
      } finally {
        await batch.close();
      }
    });

    it('the same shard delivered twice (at once, then again) counts once', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 2 });
      const [a, b] = [await worker('worker-a'), await worker('worker-b')];
      const twice = await Promise.all([
        run(a, { phase: 'pass', round: 0, shard: 0 }),
        run(b, { phase: 'pass', round: 0, shard: 0 }),
      ]);
      // One finishes it; the other was fenced out by the later claim, or found it done.
      expect(
        twice.map((report) => report.outcome).filter((outcome) => outcome === 'done'),
      ).toHaveLength(1);
      expect((await run(a, { phase: 'pass', round: 0, shard: 0 })).outcome).toBe('skipped');
      expect((await run(a, { phase: 'pass', round: 0, shard: 1 })).outcome).toBe('done');
      const expected = expectedCounts(manifest, PW_A);
      expect(sumShardCounts(await planned.ledger.shards(planned.rotation.id))).toMatchObject({
        scanned: expected.scanned,
        rotated: expected.rotated,
        skipped: expected.skipped,
      });
    });

    it('a rotation no longer running fences every commit: the run leaves, its batch rolled back', async () => {
      planned = await planFixtureRotation(suite.db, { shards: 1 });
      const a = await worker('worker-a');
      let records = 0;
      let stopped: Promise<ShardRow> | null = null;
      const report = await run(
        a,
        { phase: 'pass', round: 0, shard: 0 },
        {
          batchSize: 4,
          onRecord: () => {
            if (++records === 10 && stopped === null) {
              // the shard as the cancel leaves it: batches in flight then are in, none after
              stopped = planned!.ledger
                .setState(planned!.rotation.id, 'cancelled')
                .then(async () => (await planned!.ledger.shard(planned!.rotation.id, 0))!);
            }
          },
        },
      );
      const atCancel = await stopped!;
      expect(report.outcome).toBe('fenced');
      const shard = (await planned.ledger.shard(planned.rotation.id, 0))!;
      expect(shard.cursor).toBe(atCancel.cursor);
      expect(shard.rotated).toBe(atCancel.rotated);
      expect(shard.scanned).toBeLessThan(200);
      const rows = await readServerVault(suite.owner);
      const before = new Map(readSqliteVault(FIXTURE).map((row) => [row.id, row.vault_value]));
      const written = rows.filter((row) => row.vault_value !== before.get(row.id)).length;
      expect(written).toBe(shard.rotated);
      expect(shard.done).toBe(false);
    });
  });
}
