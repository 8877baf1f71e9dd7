/**
 * Rotations of a vault table in a real MariaDB: the tiny200 fixture copied
 * in with the library's DDL, rotated with the tiny preset, copied back to
 * SQLite and checked record by record (and by vsref when present); then the
 * faults: a connection killed mid-rotation and resumed, a SELECT-only user,
 * a rotation already holding the server lock, a wrong password.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../src/engine/index.js';
import { openVault } from '../../../src/engine/storage/index.js';
import type { RotationOptions } from '../../../src/engine/rotation/types.js';
import { readManifest } from '../../support/fixtures.js';
import {
  copyVaultFromServer,
  readServerVault,
  readSqliteVault,
} from '../../support/server-vault-copy.js';
import type { VaultRow } from '../../support/server-vault-copy.js';
import { serverUnavailable } from '../../support/servers/index.js';
import { expectVsrefVerifies } from '../../support/vsref.js';
import {
  NEW_PASSWORD,
  PW_A,
  bytes,
  expectFixtureRotated,
  expectedCounts,
} from './support/rotation-checks.js';
import { useServerFixture } from './support/server-fixture.js';

const manifest = readManifest('tiny200');

describe.skipIf(serverUnavailable('mysql'))('rotating a vault in MySQL/MariaDB', () => {
  const server = useServerFixture('mysql');
  let original: VaultRow[];
  beforeAll(() => {
    original = readSqliteVault(server.fixture);
  });
  const options = (extra: Partial<RotationOptions> = {}): RotationOptions => server.options(extra);

  /** The server table copied back into SQLite next to the manifest, for the record checks and vsref. */
  async function copiedBack(name: string): Promise<string> {
    const file = join(server.dir.path, `${name}-${server.db.database}.db`);
    await copyVaultFromServer(server.owner, file);
    copyFileSync(`${server.fixture}.manifest.json`, `${file}.manifest.json`);
    return file;
  }

  async function expectFullyRotated(name: string): Promise<void> {
    const file = await copiedBack(name);
    await expectFixtureRotated(file, manifest, { oldPassword: PW_A, newPassword: NEW_PASSWORD });
    await expectVsrefVerifies(file, {
      config: 'tiny',
      expect: `${PW_A}=>${NEW_PASSWORD}`,
      softDeleted: 'rotated',
    });
  }

  it('rotates every pwA record, leaves the rest byte-identical, and backs up the table first', async () => {
    const result = await rotateVault(options());
    const expected = expectedCounts(manifest, PW_A);
    expect(result).toMatchObject({
      status: 'completed',
      table: 'vault',
      scanned: expected.scanned,
      rotated: expected.rotated,
      skipped: expected.skipped,
      failed: 0,
    });
    expect(result.coverage).toMatchObject({
      rowsAtStart: expected.scanned,
      visited: expected.scanned,
      foreignWrites: false,
    });
    await expectFullyRotated('rotated');

    // the backup is a SQLite vault holding the values from before the rotation
    expect(result.backupPath).not.toBeNull();
    const backup = await openVault(result.backupPath!, { readOnly: true });
    try {
      const values = new Map<string, string>();
      for await (const record of backup.streamRecords('vault', {}))
        values.set(record.id, record.value);
      expect(values).toEqual(new Map(original.map((row) => [row.id, row.vault_value])));
    } finally {
      await backup.close();
    }
    expect(readSqliteVault(result.backupPath!)).toEqual(original);
  });

  it('stops with CONNECTION_LOST when the connection is killed mid-rotation; --resume finishes it', async () => {
    // Another session locks a record in the middle: the rotation commits the batches before it, then waits.
    const ids = (await server.owner.query<{ id: string }>('SELECT id FROM vault ORDER BY id')).map(
      (r) => r.id,
    );
    const changedRows = async (): Promise<{ id: string }[]> =>
      (await readServerVault(server.owner)).filter(
        (row, i) => row.vault_value !== original[i]!.vault_value,
      );
    const blocker = await server.db.connect();
    await blocker.query('START TRANSACTION');
    await blocker.query('SELECT id FROM vault WHERE id = ? FOR UPDATE', [ids[120]]);
    const run = rotateVault(
      options({ batchSize: 8, commitIntervalMs: 10, busyTimeoutMs: 30_000, backup: false }),
    ).then(
      () => null,
      (error: unknown) => error as Error & { code?: string },
    );
    try {
      for (let i = 0; i < 300; i++) {
        // the rotation's statement waiting for the blocked record
        const waiting = await server.db.admin.query(
          "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND = 'Query' " +
            "AND INFO LIKE '%FOR UPDATE%'",
          [server.db.user],
        );
        // Only once a batch committed: a FOR UPDATE seen earlier may be the first batch's own,
        // not the one waiting for the blocked record, and killing it would leave nothing kept.
        if (waiting.length > 0 && (await changedRows()).length > 0) {
          await server.db.killConnection(Number(waiting[0]!.id));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const error = await run;
      expect(error?.code, error?.message).toBe('CONNECTION_LOST');
      expect(error!.message).toContain('--resume');
      expect(error!.message).not.toContain(server.db.password);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.close();
    }
    // the batches committed before the kill are kept
    const changed = await changedRows();
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((row) => ids.indexOf(row.id) < 120)).toBe(true);

    const resumed = await rotateVault(options({ resume: true, backup: false }));
    expect(resumed).toMatchObject({ status: 'completed', resumed: true, failed: 0 });
    await expectFullyRotated('resumed');
  });

  it('refuses a SELECT-only user with SERVER_PERMISSION at the first write, the table unchanged', async () => {
    const reader = await server.db.readOnlyUser();
    const error = await rotateVault({
      ...options(),
      vaultPath: server.db.url.replace(`//${server.db.user}@`, `//${reader.user}@`),
      serverPassword: bytes(reader.password),
    }).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code, error?.message).toBe('SERVER_PERMISSION');
    expect(error!.message).not.toContain(reader.password);
    expect(await readServerVault(server.owner)).toEqual(original);
  });

  it('refuses a second rotation while another holds the server lock (ROTATION_IN_PROGRESS)', async () => {
    const holder = await openVault(server.db.url, { serverPassword: bytes(server.db.password) });
    try {
      const release = await holder.lockForRotation!('vault');
      // another machine: its own local state folder, so only the server lock can refuse
      const error = await rotateVault(
        options({ checkpointDir: join(server.dir.path, `elsewhere-${server.db.database}`) }),
      ).then(
        () => null,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error?.code, error?.message).toBe('ROTATION_IN_PROGRESS');
      expect(await readServerVault(server.owner)).toEqual(original);
      await release();
    } finally {
      await holder.close();
    }
  });

  it('refuses a wrong password with SERVER_AUTH, never showing it', async () => {
    const wrong = `${server.db.password}-not-it`;
    const error = await rotateVault(options({ serverPassword: bytes(wrong) })).then(
      () => null,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code, error?.message).toBe('SERVER_AUTH');
    expect(error!.message).not.toContain(wrong);
    expect(error!.message).not.toContain(server.db.password);
    expect(existsSync(join(server.dir.path, `state-${server.db.database}`))).toBe(false);
  });
});
