/**
 * The coverage proof itself: a store whose pages leave out one record (a
 * paging skip, as a wrong collation or a cut page would make) must never
 * give "completed", on SQLite and on a server, whether or not an
 * application writes during the run. The real stores are used; only their
 * readRecords() drops one id, every time (count and samples see it).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { rotateVault } from '../../../../src/engine/index.js';
import type * as Storage from '../../../../src/engine/storage/index.js';
import type { RotationProgress } from '../../../../src/engine/rotation/types.js';
import {
  copyFixture,
  fixturesDir,
  makeTempDir,
  readManifest,
  type TempDir,
} from '../../../support/fixtures.js';
import { copyVaultToServer } from '../../../support/server-vault-copy.js';
import {
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../../../support/servers/index.js';
import { PW_A, bytes, rotationOptions } from '../support/rotation-checks.js';

const skip = vi.hoisted(() => ({ id: null as string | null }));

vi.mock('../../../../src/engine/storage/index.js', async (importOriginal) => {
  const { withStoreOverrides } = await import('../support/store-overrides.js');
  return withStoreOverrides(await importOriginal<typeof Storage>(), (store) => ({
    readRecords: async (...call) =>
      (await store.readRecords(...call)).filter((record) => record.id !== skip.id),
  }));
});

const manifest = readManifest('tiny200');
const RECORDS = manifest.n;

/** Records that open with PW_A, in the order given (the store's key order). */
function opensWithA(ids: readonly string[]): string[] {
  return ids.filter((id) => manifest.records[id]?.password === PW_A);
}

interface Plan {
  /** the record every page leaves out */
  readonly skipped: string;
  /** the application overwrites `target` (visited early) with `source`'s value mid-run */
  readonly target: string;
  readonly source: string;
}

function planFor(idsInKeyOrder: readonly string[]): Plan {
  const candidates = opensWithA(idsInKeyOrder);
  return {
    target: candidates[0]!,
    source: candidates[1]!,
    skipped: candidates[Math.floor(candidates.length / 2)]!,
  };
}

/** Once, when the pass is past the middle: the application writes one record behind the cursor. */
function applicationWriteOnce(write: () => void | Promise<void>) {
  let done = false;
  return (progress: RotationProgress): void => {
    if (done || progress.phase !== 'rotating' || progress.scanned < RECORDS * 0.75) return;
    done = true;
    void write();
  };
}

afterEach(() => {
  skip.id = null;
});

describe('the coverage check on SQLite', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('vsa-coverage-');
  });
  afterEach(() => dir.dispose());

  function vault(): { path: string; plan: Plan; valueOf: (id: string) => string } {
    const path = copyFixture('tiny200', dir.path);
    const db = new Database(path, { readonly: true });
    try {
      const ids = (db.prepare('SELECT id FROM vault ORDER BY rowid').all() as { id: string }[]).map(
        (row) => row.id,
      );
      const plan = planFor(ids);
      skip.id = plan.skipped;
      const valueOf = (id: string): string => {
        const reader = new Database(path, { readonly: true });
        try {
          const row = reader.prepare('SELECT vault_value FROM vault WHERE id = ?').get(id);
          return (row as { vault_value: string }).vault_value;
        } finally {
          reader.close();
        }
      };
      return { path, plan, valueOf };
    } finally {
      db.close();
    }
  }

  it('a record the pages leave out, nobody else writing: no "completed"', async () => {
    const { path, plan, valueOf } = vault();
    const before = valueOf(plan.skipped);
    const run = rotateVault(rotationOptions(path, { backup: false, workers: 2 }));
    await expect(run).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(
        `visited ${RECORDS - 1} record(s) of table vault but ${RECORDS} were there`,
      ),
    });
    // what the check stands for: the left-out record still opens with the old password
    expect(valueOf(plan.skipped)).toBe(before);
  });

  it('a record the pages leave out while the application writes another: no "completed"', async () => {
    const { path, plan, valueOf } = vault();
    const before = valueOf(plan.skipped);
    const copied = valueOf(plan.source);
    const run = rotateVault(
      rotationOptions(path, {
        backup: false,
        workers: 2,
        progressIntervalMs: 0,
        onProgress: applicationWriteOnce(() => {
          const app = new Database(path);
          try {
            app.prepare('UPDATE vault SET vault_value = ? WHERE id = ?').run(copied, plan.target);
          } finally {
            app.close();
          }
        }),
      }),
    );
    await expect(run).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('last re-read of table vault read 1 record(s) fewer'),
    });
    expect(valueOf(plan.skipped)).toBe(before);
  });
});

describe.skipIf(serverUnavailable('postgres'))('the coverage check on PostgreSQL', () => {
  let db: TestDatabase;
  let owner: SqlSession;
  let dir: TempDir;

  beforeAll(async () => {
    db = await testDatabase('postgres');
    owner = await db.connect();
  });
  afterAll(async () => {
    await owner?.close();
    await db?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir('vsa-coverage-pg-');
    await owner.query('DROP TABLE IF EXISTS vault, vault_meta');
    await copyVaultToServer(join(fixturesDir, 'tiny200.db'), owner);
  });
  afterEach(() => dir.dispose());

  async function plan(): Promise<Plan> {
    const rows = await owner.query<{ id: string }>('SELECT id FROM vault ORDER BY id');
    const chosen = planFor(rows.map((row) => row.id));
    skip.id = chosen.skipped;
    return chosen;
  }

  async function valueOf(id: string): Promise<string> {
    const [row] = await owner.query<{ vault_value: string }>(
      'SELECT vault_value FROM vault WHERE id = $1',
      [id],
    );
    return row!.vault_value;
  }

  const options = (extra: Partial<Parameters<typeof rotateVault>[0]> = {}) =>
    rotationOptions(db.url, {
      serverPassword: bytes(db.password),
      checkpointDir: join(dir.path, 'state'),
      backup: false,
      workers: 2,
      ...extra,
    });

  const MISSED = 'last re-read of table public.vault read 1 record(s) fewer';

  it('a record the pages leave out, nobody else writing: no "completed"', async () => {
    const chosen = await plan();
    const before = await valueOf(chosen.skipped);
    await expect(rotateVault(options())).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(MISSED),
    });
    expect(await valueOf(chosen.skipped)).toBe(before);
  });

  it('a record the pages leave out while the application writes another: no "completed"', async () => {
    const chosen = await plan();
    const before = await valueOf(chosen.skipped);
    const copied = await valueOf(chosen.source);
    let written: Promise<unknown> | null = null;
    const run = rotateVault(
      options({
        progressIntervalMs: 0,
        onProgress: applicationWriteOnce(() => {
          written = owner.query('UPDATE vault SET vault_value = $1 WHERE id = $2', [
            copied,
            chosen.target,
          ]);
        }),
      }),
    );
    await expect(run).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining(MISSED),
    });
    expect(written, 'the application wrote during the run').not.toBeNull();
    await written;
    expect(await valueOf(chosen.skipped)).toBe(before);
  });
});
