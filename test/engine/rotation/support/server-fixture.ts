/**
 * Hooks for rotation tests on a real server: a temp folder with a copy of
 * the fixture (once), and for each test a fresh database with the fixture's
 * vault copied in (unless `copy` is false) and the owner connected. The
 * returned object's fields are set by the hooks (read them inside tests).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { RotationOptions } from '../../../../src/engine/rotation/types.js';
import {
  copyFixture,
  makeTempDir,
  type FixtureName,
  type TempDir,
} from '../../../support/fixtures.js';
import { copyVaultToServer } from '../../../support/server-vault-copy.js';
import { testDatabase } from '../../../support/servers/index.js';
import type { ServerKind, SqlSession, TestDatabase } from '../../../support/servers/index.js';
import { bytes, rotationOptions } from './rotation-checks.js';

export interface ServerFixture {
  db: TestDatabase;
  owner: SqlSession;
  dir: TempDir;
  /** the fixture's SQLite copy (its manifest next to it) */
  fixture: string;
  /** PW_A -> NEW_PASSWORD of this test's database, two workers, state in the temp folder */
  options(extra?: Partial<RotationOptions>): RotationOptions;
}

export function useServerFixture(
  kind: ServerKind,
  settings: { readonly fixture?: FixtureName; readonly copy?: boolean } = {},
): ServerFixture {
  const state = {
    options(extra: Partial<RotationOptions> = {}): RotationOptions {
      return rotationOptions(state.db.url, {
        serverPassword: bytes(state.db.password),
        checkpointDir: join(state.dir.path, `state-${state.db.database}`),
        workers: 2,
        ...extra,
      });
    },
  } as ServerFixture;
  beforeAll(() => {
    state.dir = makeTempDir();
    state.fixture = copyFixture(settings.fixture ?? 'tiny200', state.dir.path);
  });
  afterAll(() => state.dir.dispose());
  beforeEach(async () => {
    state.db = await testDatabase(kind);
    state.owner = await state.db.connect();
    if (settings.copy !== false) await copyVaultToServer(state.fixture, state.owner);
  });
  afterEach(async () => {
    await state.owner.close();
    await state.db.dispose();
  });
  return state;
}
