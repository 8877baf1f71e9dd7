/**
 * checkDistributedRotation on real servers and a real Redis: what the app
 * asks before "Use other machines too" (issue 19), changing nothing: the
 * ledger's create right, the table's unfinished rotation, another rotation
 * holding the table, and Redis answering with the password given.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelRotation,
  checkDistributedRotation,
  openVault,
  type DistributedTarget,
} from '../../../src/engine/index.js';
import { redisUnavailable, redisUrl, startRedis, type ManagedRedis } from '../../support/redis.js';
import { SERVER_KINDS, serverUnavailable } from '../../support/servers/index.js';
import {
  bytes,
  loadFixture,
  planFixtureRotation,
  serverDatabase,
} from './support/distributed-setup.js';

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind) ?? redisUnavailable())(
    `the distributed checks on ${kind}`,
    () => {
      const suite = serverDatabase(kind);
      let redis: ManagedRedis;

      beforeAll(async () => {
        redis = await startRedis();
      });
      afterAll(async () => redis?.dispose());
      beforeEach(async () => {
        await suite.owner.query(
          'DROP TABLE IF EXISTS vault, vault_meta, vsa_visit, vsa_worker, vsa_shard, vsa_rotation',
        );
        await loadFixture(suite.owner);
      });

      const target = (): DistributedTarget => ({
        vaultPath: suite.db.url,
        table: 'vault',
        open: { serverPassword: bytes(suite.db.password) },
      });
      const queue = (password = redis.info.password) => ({
        url: redisUrl(redis.info),
        password: bytes(password),
      });

      it('a free table: Redis answers, the ledger may be created (and is not), nothing unfinished', async () => {
        expect(await checkDistributedRotation(target(), queue())).toEqual({
          queueAnswered: true,
          ledger: 'can-create',
          unfinished: null,
        });
        const [row] = await suite.owner.query<{ n: number | string }>(
          kind === 'postgres'
            ? "SELECT count(*) AS n FROM information_schema.tables WHERE table_name LIKE 'vsa\\_%'"
            : "SELECT count(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'vsa\\_%'",
        );
        expect(Number(row?.n)).toBe(0);
        await expect(
          checkDistributedRotation(target(), queue('wrong-Redis-Pw-31')),
        ).rejects.toMatchObject({ code: 'QUEUE_AUTH' });
      });

      it('another rotation holding the table is named; an unfinished distributed one is reported', async () => {
        const other = await openVault(suite.db.url, { serverPassword: bytes(suite.db.password) });
        try {
          const release = await other.lockForRotation!('vault');
          await expect(checkDistributedRotation(target(), queue())).rejects.toMatchObject({
            code: 'ROTATION_IN_PROGRESS',
          });
          await release();
        } finally {
          await other.close();
        }
        const planned = await planFixtureRotation(suite.db, { shards: 3 });
        try {
          await cancelRotation(target());
          const found = await checkDistributedRotation(target(), queue());
          expect(found).toMatchObject({
            ledger: 'exists',
            unfinished: { rotation: planned.rotation.id, state: 'cancelled', shards: 3 },
          });
        } finally {
          await planned.dispose();
        }
      });
    },
  );
}
