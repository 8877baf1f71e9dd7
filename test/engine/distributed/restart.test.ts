/**
 * The database restarted in the middle of a distributed rotation (a private
 * PostgreSQL / MariaDB server, a real Redis): the coordinator and the
 * workers open new connections (the coordinator takes the table's lock
 * again), the batch in flight was rolled back and is done again, and the
 * rotation completes with exact counts; vsref verifies the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinateRotation } from '../../../src/engine/distributed/index.js';
import { makeTempDir } from '../../support/fixtures.js';
import { redisUnavailable, redisUrl, startRedis, type ManagedRedis } from '../../support/redis.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  startPrivateServer,
  testDatabase,
  type ManagedServer,
  type SqlSession,
  type TestDatabase,
} from '../../support/servers/index.js';
import { uniqueName } from './queue/support/queue-test-kit.js';
import { expectCompletedAsManifest } from '../rotation/support/rotation-checks.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectServerFixtureRotated,
  loadFixture,
  manifest,
  tiny,
} from './support/distributed-setup.js';

for (const kind of SERVER_KINDS) {
  describe.skipIf(serverUnavailable(kind) ?? redisUnavailable())(
    `the ${kind} server restarted during a distributed rotation`,
    () => {
      let server: ManagedServer;
      let db: TestDatabase;
      let owner: SqlSession;
      let redis: ManagedRedis;

      beforeAll(async () => {
        redis = await startRedis();
        server = await startPrivateServer(kind);
        db = await testDatabase(kind, { server });
        owner = await db.connect();
        await loadFixture(owner);
      });
      afterAll(async () => {
        await owner?.close().catch(() => undefined);
        await db?.dispose().catch(() => undefined);
        await server?.dispose();
        await redis?.dispose();
      });

      it('reconnects and completes with exact counts', async () => {
        const dir = makeTempDir('vsa-distributed-restart-');
        let restarted: Promise<void> | null = null;
        try {
          const result = await coordinateRotation({
            target: {
              vaultPath: db.url,
              table: 'vault',
              open: { serverPassword: bytes(db.password) },
            },
            queue: {
              url: redisUrl(redis.info),
              name: uniqueName('vault'),
              password: bytes(redis.info.password),
            },
            oldPassword: bytes(PW_A),
            newPassword: bytes(NEW_PASSWORD),
            crypto: { openConfig: tiny },
            shards: 4,
            localWorkers: 1,
            batchSize: 4,
            pollIntervalMs: 50,
            progressIntervalMs: 0,
            onProgress: (progress) => {
              if (progress.rotated > 0) restarted ??= server.restart();
            },
          });
          await restarted;
          expect(restarted).not.toBeNull();
          expectCompletedAsManifest(result, manifest, PW_A);
          // The test's own session died with the server: a new one reads the table.
          await owner.close().catch(() => undefined);
          owner = await db.connect();
          await expectServerFixtureRotated(owner, dir.path);
        } finally {
          dir.dispose();
        }
      });
    },
  );
}
