import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, rotateVault } from '../../../src/engine/index.js';
import { encodeV2Value, openValue } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';
import { buildVault, readRows } from '../../support/vault-builder.js';
import { bytes } from './support/rotation-checks.js';

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
    // The guarded write lost to the other program; the sweep after the main pass re-examined the
    // record (it opens with the old password) and rotated it: nothing is left to run again.
    expect(result).toMatchObject({ status: 'completed', rotated: 40, failed: 0, failures: [] });
    expect(result.coverage).toEqual({ rowsAtStart: 40, visited: 40, foreignWrites: true });
    expect(result.sweep).toMatchObject({ changed: 1, inserted: 0, deleted: 0, rotated: 1 });
    expect(result.sweep!.rounds).toBeGreaterThanOrEqual(1);
    const now = readRows(vault.path, 'vault').get(target.id)!.vault_value;
    expect(now).not.toBe(rewritten);
    const opened = await openValue(String(now), bytes(NEW), tiny, await loadArgon2idBackend());
    expect(opened.ok && Buffer.from(opened.plaintext).toString()).toBe(
      'updated by the application',
    );

    // A second pass finds nothing under the old password: every record opens with the new one.
    const second = {
      vaultPath: vault.path,
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: tiny,
      backup: false,
    };
    // refused from its sample, before the scan
    await expect(rotateVault(second)).rejects.toMatchObject({ code: 'ALREADY_ROTATED' });
    const scanned = await rotateVault({ ...second, scanAnyway: true });
    expect(scanned).toMatchObject({ status: 'nothing-opened', rotated: 0, skipped: 40, failed: 0 });
    expect(scanned.newPasswordSample?.opened).toBeGreaterThan(0);
  });
});
