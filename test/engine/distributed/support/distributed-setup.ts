/** Shared set-up of the distributed rotation tests (not a test file). */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../../../src/engine/distributed/ledger/ledger.js';
import { planDistributedRotation } from '../../../../src/engine/distributed/plan-rotation.js';
import type { RotationRow } from '../../../../src/engine/distributed/types.js';
import { CryptoPool } from '../../../../src/engine/pool/crypto-pool.js';
import { JobResources } from '../../../../src/engine/rotation/job/job-resources.js';
import { resolveVaultTable } from '../../../../src/engine/rotation/plan/validation.js';
import { openVault } from '../../../../src/engine/storage/index.js';
import type { VaultStore } from '../../../../src/engine/storage/types.js';
import { fixturesDir, readManifest } from '../../../support/fixtures.js';
import { copyVaultFromServer, copyVaultToServer } from '../../../support/server-vault-copy.js';
import { afterAll, beforeAll } from 'vitest';
import {
  testDatabase,
  type ServerKind,
  type SqlSession,
  type TestDatabase,
} from '../../../support/servers/index.js';
import { expectVsrefVerifies } from '../../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  tiny,
} from '../../rotation/support/rotation-checks.js';

export const FIXTURE = join(fixturesDir, 'tiny200.db');
export const manifest = readManifest('tiny200');
export { NEW_PASSWORD, PW_A, bytes, tiny };

/** A fresh database of `kind` and an owner's session for the suite (created before, dropped after). */
export function serverDatabase(kind: ServerKind): {
  readonly db: TestDatabase;
  readonly owner: SqlSession;
} {
  const suite = {} as { db: TestDatabase; owner: SqlSession };
  beforeAll(async () => {
    suite.db = await testDatabase(kind);
    suite.owner = await suite.db.connect();
  });
  afterAll(async () => {
    await suite.owner?.close();
    await suite.db?.dispose();
  });
  return suite;
}

export function openStore(db: TestDatabase): Promise<VaultStore> {
  return openVault(db.url, { serverPassword: bytes(db.password) });
}

export function loadFixture(owner: SqlSession): Promise<number> {
  return copyVaultToServer(FIXTURE, owner);
}

/** A pool holding PW_A (0) and NEW_PASSWORD (1), as a worker's. */
export function startPool(size = 2, passwords = [PW_A, NEW_PASSWORD]): Promise<CryptoPool> {
  return CryptoPool.start({
    size,
    passwords: passwords.map(bytes),
    openConfig: tiny,
    writeConfig: tiny,
  });
}

export interface PlannedRotation {
  readonly rotation: RotationRow;
  readonly store: VaultStore;
  readonly ledger: Ledger;
  readonly table: string;
  dispose(): Promise<void>;
}

/** Plans a rotation of `vault` (PW_A -> NEW_PASSWORD, tiny) with its own connection and pool. */
export async function planFixtureRotation(
  db: TestDatabase,
  options: { shards: number; includeSoftDeleted?: boolean },
): Promise<PlannedRotation> {
  const resources = new JobResources([bytes(PW_A), bytes(NEW_PASSWORD)]);
  try {
    const store = await resources.openStore(db.url, { serverPassword: bytes(db.password) });
    const table = await resolveVaultTable(store, 'vault');
    const ledger = Ledger.of(store, null);
    await ledger.create();
    const pool = await resources.startPool({ size: 2, openConfig: tiny, writeConfig: tiny });
    const rotation = await planDistributedRotation({
      store,
      ledger,
      table,
      pool,
      resources,
      crypto: { openConfig: tiny },
      shards: options.shards,
      includeSoftDeleted: options.includeSoftDeleted,
      coordinator: 'test-coordinator',
    });
    await pool.close();
    return { rotation, store, ledger, table, dispose: () => resources.dispose() };
  } catch (error) {
    await resources.dispose();
    throw error;
  }
}

/** The server table copied back into SQLite and checked against the manifest, and by vsref. */
export async function expectServerFixtureRotated(owner: SqlSession, dir: string): Promise<void> {
  const file = join(dir, 'rotated.db');
  await copyVaultFromServer(owner, file);
  copyFileSync(join(fixturesDir, 'tiny200.db.manifest.json'), `${file}.manifest.json`);
  await expectFixtureRotated(file, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
  await expectVsrefVerifies(file, {
    config: 'tiny',
    expect: `${PW_A}=>${NEW_PASSWORD}`,
    softDeleted: 'rotated',
  });
}

/** Every row of the ledger tables as one text (to look for secrets in it). */
export async function ledgerText(owner: SqlSession): Promise<string> {
  const parts: string[] = [];
  for (const table of ['vsa_rotation', 'vsa_shard', 'vsa_visit', 'vsa_worker']) {
    parts.push(JSON.stringify(await owner.query(`SELECT * FROM ${table}`)));
  }
  return parts.join('\n');
}

/** A secret spelled the ways a leak could spell it: plain, hex, base64. */
export function spellings(secret: string): string[] {
  const raw = Buffer.from(secret, 'utf8');
  return [secret, raw.toString('hex'), raw.toString('base64'), raw.toString('base64url')];
}
