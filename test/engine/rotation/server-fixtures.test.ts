/**
 * Every fixture vault of ../shared (made by the independent Go reference,
 * vsref) copied into each server with the library's DDL for that dialect,
 * rotated with its own Argon2id preset, copied back to SQLite and checked
 * record by record against its manifest and by `vsref verify`. tiny200 is
 * also covered (with faults) by postgres-rotation / mysql-rotation; this file
 * adds the default-preset fixture, the library's real cost settings.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { fixturesDir, makeTempDir, readManifest, type TempDir } from '../../support/fixtures.js';
import { copyVaultFromServer, copyVaultToServer } from '../../support/server-vault-copy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../../support/servers/index.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectCompletedAsManifest,
  expectedCounts,
  manifestConfig,
} from './support/rotation-checks.js';

const FIXTURES = ['default60', 'tiny200'] as const;

describe.each(SERVER_KINDS)('the shared fixture vaults in %s', (kind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let owner: SqlSession;
  let dir: TempDir;

  beforeAll(async () => {
    if (unavailable) return;
    db = await testDatabase(kind);
    owner = await db.connect();
    dir = makeTempDir(`vsa-${kind}-fixtures-`);
  });
  afterAll(async () => {
    await owner?.close();
    await db?.dispose();
    dir?.dispose();
  });

  it.skipIf(unavailable).each(FIXTURES)(
    '%s: rotated in the server, copied back, every record as the manifest says, vsref verify',
    async (name) => {
      const manifest = readManifest(name);
      await owner.query('DROP TABLE IF EXISTS vault');
      await owner.query('DROP TABLE IF EXISTS vault_meta');
      await copyVaultToServer(join(fixturesDir, `${name}.db`), owner);
      const result = await rotateVault({
        vaultPath: db.url,
        serverPassword: bytes(db.password),
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        openConfig: manifestConfig(manifest),
        workers: 2,
        checkpointDir: join(dir.path, `state-${name}`),
      });
      expectCompletedAsManifest(result, manifest, PW_A);
      const scanned = expectedCounts(manifest, PW_A).scanned;
      expect(result.coverage).toMatchObject({
        rowsAtStart: scanned,
        visited: scanned,
        foreignWrites: false,
      });
      const file = join(dir.path, `${name}-rotated.db`);
      await copyVaultFromServer(owner, file);
      copyFileSync(join(fixturesDir, `${name}.db.manifest.json`), `${file}.manifest.json`);
      await expectFixtureRotated(file, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
      await expectVsrefVerifies(file, {
        config: `t=${manifest.config.iterations},m=${manifest.config.memory_kib},p=${manifest.config.parallelism}`,
        expect: `${PW_A}=>${NEW_PASSWORD}`,
        softDeleted: 'rotated',
        // also decrypts every record left alone with its own manifest password
        deep: true,
      });
    },
    240_000,
  );
});
