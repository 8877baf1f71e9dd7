import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, rotateVault } from '../../../src/engine/index.js';
import { encodeV2Value } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import { buildVault, readRows } from '../../support/vault-builder.js';
import { bytes } from './helpers.js';

const OLD = 'Old-Password-concurrent-0001';
const NEW = 'New-Password-concurrent-0001';
const tiny = ARGON2_PRESETS.tiny;

describe('a record changed by another connection during the rotation', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('is reported as changed-concurrently, keeps the other writer value, and a second pass rotates it', async () => {
    const vault = await buildVault(join(dir.path, 'live.db'), {
      records: Array.from({ length: 40 }, () => ({ password: OLD })),
    });
    // Read with the first page and still in flight when the first result is accounted for.
    const target = vault.records[2]!;
    const rewritten = await encodeV2Value(
      Buffer.from('updated by the application'),
      bytes(OLD),
      tiny,
      await loadArgon2idBackend(),
    );
    let changed = false;
    const result = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: tiny,
      workers: 2,
      backup: false,
      progressIntervalMs: 0,
      onProgress: (progress) => {
        if (changed || progress.phase !== 'rotating' || progress.scanned < 1) return;
        changed = true;
        const other = new Database(vault.path);
        other.prepare('UPDATE vault SET vault_value = ? WHERE id = ?').run(rewritten, target.id);
        other.close();
      },
    });
    expect(changed).toBe(true);
    expect(result).toMatchObject({ status: 'completed', rotated: 39, failed: 1, opened: 40 });
    expect(result.failures).toEqual([
      {
        id: target.id,
        reason: 'changed-concurrently',
        detail: expect.stringContaining('run the rotation again'),
      },
    ]);
    expect(readRows(vault.path, 'vault').get(target.id)!.vault_value).toBe(rewritten);

    const second = await rotateVault({
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: tiny,
      backup: false,
    });
    expect(second).toMatchObject({ status: 'completed', rotated: 1, skipped: 39, failed: 0 });
  });
});
