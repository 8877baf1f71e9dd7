/**
 * The tiny200 fixture as a server vault table: loaded fresh by the database
 * owner, and checked after a rotation (copied back into SQLite, compared
 * with the manifest record for record, and by vsref when present).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NEW_PASSWORD,
  PW_A,
  expectFixtureRotated,
} from '../engine/rotation/support/rotation-checks.js';
import { fixturesDir, readManifest } from './fixtures.js';
import { copyVaultFromServer, copyVaultToServer } from './server-vault-copy.js';
import type { TestDatabase } from './servers/index.js';
import { expectVsrefVerifies } from './vsref.js';

export const SERVER_FIXTURE = join(fixturesDir, 'tiny200.db');

/** The fixture's table, fresh (`dropAlso`: other tables to drop first), owned by the owner. */
export async function loadServerFixture(
  db: TestDatabase,
  dropAlso: readonly string[] = [],
): Promise<void> {
  const owner = await db.connect();
  try {
    for (const table of ['vault', 'vault_meta', ...dropAlso]) {
      await owner.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await copyVaultToServer(SERVER_FIXTURE, owner);
  } finally {
    await owner.close();
  }
}

/** The table rotated PW_A -> NEW_PASSWORD, every other record byte for byte (copied back to `dir`). */
export async function expectServerFixtureRotated(db: TestDatabase, dir: string): Promise<void> {
  const file = join(dir, `rotated-${Math.random().toString(36).slice(2)}.db`);
  const owner = await db.connect();
  try {
    await copyVaultFromServer(owner, file);
  } finally {
    await owner.close();
  }
  copyFileSync(join(fixturesDir, 'tiny200.db.manifest.json'), `${file}.manifest.json`);
  await expectFixtureRotated(file, readManifest('tiny200'), {
    oldPassword: PW_A,
    newPassword: NEW_PASSWORD,
  });
  await expectVsrefVerifies(file, {
    config: 'tiny',
    expect: `${PW_A}=>${NEW_PASSWORD}`,
    softDeleted: 'rotated',
  });
}
