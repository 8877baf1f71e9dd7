/**
 * --backup-table: the backup of a server vault as a new table in the same
 * database (same columns and keys, every row), taken before the first write;
 * never replacing a table; kept (not taken again) by a resume; refused for a
 * vault file and with the other backup choices.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/cli/cli-error.js';
import { rotateVault } from '../../../src/engine/index.js';
import { copyFixture, fixturesDir, makeTempDir, type TempDir } from '../../support/fixtures.js';
import { copyVaultToServer, readServerVault } from '../../support/server-vault-copy.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../../support/servers/index.js';
import { rotationOptions, serverRotationOptions } from './support/rotation-checks.js';

describe.each(SERVER_KINDS)('a backup table in %s', (kind) => {
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let owner: SqlSession;
  let dir: TempDir;

  beforeAll(async () => {
    if (unavailable) return;
    db = await testDatabase(kind);
    owner = await db.connect();
  });
  afterAll(async () => {
    await owner?.close();
    await db?.dispose();
  });
  beforeEach(async () => {
    dir = makeTempDir(`vsa-${kind}-backup-table-`);
    if (unavailable) return;
    for (const table of ['vault', 'vault_meta', 'vault_before']) {
      await owner.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await copyVaultToServer(join(fixturesDir, 'tiny200.db'), owner);
  });
  afterEach(() => dir?.dispose());

  const options = (extra: Partial<Parameters<typeof rotateVault>[0]> = {}) =>
    serverRotationOptions(db, dir.path, extra);

  it.skipIf(unavailable)(
    'holds every row as it was before the rotation; the same name again is refused, nothing written',
    async () => {
      const before = await readServerVault(owner);
      const result = await rotateVault(options({ backupTable: 'vault_before' }));
      expect(result).toMatchObject({ status: 'completed', backupPath: 'table:vault_before' });
      expect(await readServerVault(owner, 'vault_before')).toEqual(before);
      const rotated = await readServerVault(owner);
      expect(rotated).not.toEqual(before);

      // A fresh copy of the vault to rotate (the backup is taken before the first write).
      await owner.query('DROP TABLE vault');
      await owner.query('DROP TABLE vault_meta');
      await copyVaultToServer(join(fixturesDir, 'tiny200.db'), owner, { createTables: true });
      const fresh = await readServerVault(owner);
      const again = await rotateVault(options({ backupTable: 'vault_before' })).then(
        () => null,
        (error: unknown) => error as Error & { code?: string },
      );
      expect(again?.code, again?.message).toBe('USAGE');
      expect(again?.message).toMatch(/already exists.*--backup-table/s);
      expect(again?.message).not.toContain(db.password);
      expect(await readServerVault(owner)).toEqual(fresh);
      expect(await readServerVault(owner, 'vault_before')).toEqual(before);
    },
    120_000,
  );

  it.skipIf(unavailable)('a resume keeps the backup table the interrupted run made', async () => {
    const before = await readServerVault(owner);
    const stop = new AbortController();
    const first = await rotateVault(
      options({
        backupTable: 'vault_before',
        batchSize: 4,
        commitIntervalMs: 0,
        signal: stop.signal,
        progressIntervalMs: 0,
        onProgress: (progress) => {
          if (progress.rotated >= 8) stop.abort();
        },
      }),
    );
    expect(first).toMatchObject({ status: 'cancelled', backupPath: 'table:vault_before' });
    const resumed = await rotateVault(options({ backupTable: 'vault_before', resume: true }));
    expect(resumed).toMatchObject({ status: 'completed', backupPath: 'table:vault_before' });
    expect(await readServerVault(owner, 'vault_before')).toEqual(before);
  });
});

describe('a backup table where it makes no sense', () => {
  it('is refused for a vault file (CLI usage error, and by the engine)', async () => {
    expect(() =>
      parseCommandLine(['rotate', 'vault.db', '--backup-table', 'vault_before']),
    ).toThrow(UsageError);
    const dir = makeTempDir('vsa-backup-table-file-');
    try {
      const db = copyFixture('tiny200', dir.path);
      await expect(
        rotateVault(rotationOptions(db, { backupTable: 'vault_before' })),
      ).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringMatching(/for a vault in a database server/),
      });
    } finally {
      dir.dispose();
    }
  });

  it('cannot be combined with another backup choice or a dry run', () => {
    const url = 'postgres://u@127.0.0.1:5432/db';
    for (const extra of [['--backup', '/tmp/x.db'], ['--no-backup'], ['--dry-run']]) {
      expect(() =>
        parseCommandLine(['rotate', url, '--backup-table', 'vault_before', ...extra]),
      ).toThrow(UsageError);
    }
    const parsed = parseCommandLine(['rotate', url, '--backup-table', 'vault_before']);
    expect(parsed).toMatchObject({ args: { backup: { kind: 'table', table: 'vault_before' } } });
  });
});
