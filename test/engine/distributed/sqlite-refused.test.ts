/**
 * A SQLite vault is rotated on one machine: the distributed commands refuse
 * it (DISTRIBUTED_SQLITE) before anything is written or any queue reached.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  coordinateRotation,
  readRotationStatus,
  serveRotation,
} from '../../../src/engine/distributed/index.js';
import { copyFixture, makeTempDir, type TempDir } from '../../support/fixtures.js';
import { sha256File } from '../../support/vault-builder.js';
import { NEW_PASSWORD, PW_A, bytes, tiny } from './support/distributed-setup.js';

describe('a SQLite vault and the distributed rotation', () => {
  let dir: TempDir;
  let vault: string;

  beforeEach(() => {
    dir = makeTempDir('vsa-distributed-sqlite-');
    vault = copyFixture('tiny200', dir.path);
  });
  afterEach(() => dir.dispose());

  // Never reached: the refusal comes first (no Redis listens there).
  const queue = { url: 'redis://127.0.0.1:1/0', name: 'never' };
  const target = () => ({ vaultPath: vault, table: 'vault' });

  it('coordinate, serve and status refuse it with DISTRIBUTED_SQLITE; the file is unchanged', async () => {
    const before = sha256File(vault);
    await expect(
      coordinateRotation({
        target: target(),
        queue,
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        crypto: { openConfig: tiny },
        localWorkers: 1,
      }),
    ).rejects.toMatchObject({ code: 'DISTRIBUTED_SQLITE' });
    await expect(
      serveRotation({
        target: target(),
        queue,
        oldPassword: bytes(PW_A),
        newPassword: bytes(NEW_PASSWORD),
        workers: 1,
      }),
    ).rejects.toMatchObject({ code: 'DISTRIBUTED_SQLITE' });
    await expect(readRotationStatus(target())).rejects.toMatchObject({
      code: 'DISTRIBUTED_SQLITE',
    });
    expect(sha256File(vault)).toBe(before);
  });
});
