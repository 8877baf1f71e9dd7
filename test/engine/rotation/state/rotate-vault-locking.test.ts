/**
 * rotateVault and the vault's rotation lock: refused (file untouched) while
 * another rotation holds it, dry runs unaffected, a stale lock taken over
 * with a note, and the lock released whatever way the rotation ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../../src/engine/index.js';
import { acquireRotationLock } from '../../../../src/engine/rotation/state/rotation-lock.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../../support/fixtures.js';
import { expectedCounts, PW_A, rotationOptions } from '../support/rotation-checks.js';

const manifest = readManifest('tiny200');

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

let dir: TempDir;
let vault: string;
let lockPath: string;

beforeEach(() => {
  dir = makeTempDir('vsa-rotate-lock-');
  vault = copyFixture('tiny200', dir.path);
  lockPath = `${vault}.rotation.lock`;
});

afterEach(() => dir.dispose());

describe('rotateVault and the rotation lock', () => {
  it('is refused while another rotation holds the lock: nothing written, no checkpoint, no backup', async () => {
    const held = acquireRotationLock(vault, { tool: 'app' });
    try {
      const before = readFileSync(vault);
      const files = readdirSync(dir.path).sort();
      await expect(
        rotateVault(rotationOptions(vault, { workers: 1, lockTool: 'cli' })),
      ).rejects.toMatchObject({
        code: 'ROTATION_IN_PROGRESS',
        message: expect.stringContaining(`pid ${process.pid} on this computer`),
      });
      expect(readFileSync(vault).equals(before)).toBe(true);
      expect(readdirSync(dir.path).sort()).toEqual(files);
      expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({
        token: held.holder.token,
      });

      // A dry run writes nothing: it does not need the lock.
      const dry = await rotateVault(rotationOptions(vault, { workers: 1, dryRun: true }));
      expect(dry).toMatchObject({ status: 'completed', dryRun: true });
    } finally {
      held.release();
    }
  });

  it('takes over a stale lock, says so in the notes, and leaves no lock behind', async () => {
    const stale = {
      pid: deadPid(),
      host: hostname(),
      startedAt: '2026-03-04T05:06:07.000Z',
      tool: 'cli',
      token: 'left-by-a-killed-run',
    };
    writeFileSync(lockPath, JSON.stringify(stale), { mode: 0o600 });
    const result = await rotateVault(rotationOptions(vault, { workers: 1, backup: false }));
    expect(result).toMatchObject({
      status: 'completed',
      rotated: expectedCounts(manifest, PW_A).rotated,
    });
    expect(result.notes?.[0]).toBe(
      `Took over a stale lock left by pid ${stale.pid} on ${hostname()} since ${stale.startedAt} ` +
        '(the vaultstore-admin command line; that process has ended).',
    );
    expect(existsSync(lockPath)).toBe(false);
  });

  it('releases the lock when the rotation fails after taking it', async () => {
    const taken = join(dir.path, 'taken.db');
    writeFileSync(taken, 'in the way');
    await expect(
      rotateVault(rotationOptions(vault, { workers: 1, backupPath: taken })),
    ).rejects.toMatchObject({ code: 'USAGE' });
    expect(existsSync(lockPath)).toBe(false);
    const result = await rotateVault(rotationOptions(vault, { workers: 1, backup: false }));
    expect(result.status).toBe('completed');
    expect(result.notes ?? []).not.toContainEqual(expect.stringContaining('stale lock'));
  });
});
