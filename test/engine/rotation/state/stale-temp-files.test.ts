import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault } from '../../../../src/engine/index.js';
import { removeStaleTempFiles } from '../../../../src/engine/rotation/state/stale-temp-files.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../../../support/fixtures.js';
import { NEW_PASSWORD, PW_A, bytes, expectedCounts, tiny } from '../support/rotation-checks.js';

/** The pid of a process that has exited (so no live process owns it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function writeAged(path: string, ageMs: number): void {
  writeFileSync(path, 'partial copy');
  const when = new Date(Date.now() - ageMs);
  utimesSync(path, when, when);
}

describe('temporary files left by an interrupted run', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.dispose());

  it('removes only the stale ones: dead checkpoint writers, vault copies idle for a minute', () => {
    const vault = join(dir.path, 'vault.db');
    writeFileSync(vault, '');
    const checkpoint = `${vault}.rotation-checkpoint.json`;
    const stale = [
      `${checkpoint}.${deadPid()}.tmp`,
      join(dir.path, '.vault.backup-20261128-120000.db.a1b2c3.tmp'),
      join(dir.path, '.vault.backup-20261128-120000.db.a1b2c3.tmp-journal'),
      join(dir.path, '.vault.db.0f0f0f0f0f0f.tmp'),
    ];
    const kept = [
      `${checkpoint}.${process.pid}.tmp`, // a live writer's
      join(dir.path, '.vault.backup-20261128-130000.db.d4e5f6.tmp'), // being written now
      join(dir.path, '.other.db.abcdef.tmp'), // another vault's
      join(dir.path, 'vault.db.notes.tmp'),
    ];
    for (const path of [...stale, ...kept]) writeAged(path, 5 * 60_000);
    writeAged(kept[1]!, 1_000);

    const removed = removeStaleTempFiles(vault, checkpoint);

    expect(removed.sort()).toEqual([...stale].sort());
    for (const path of stale) expect(existsSync(path), path).toBe(false);
    for (const path of kept) expect(existsSync(path), path).toBe(true);
  });

  it('a rotation cleans them up first and says so; a dry run leaves them', async () => {
    const vault = copyFixture('tiny200', dir.path);
    const leftover = join(dir.path, '.tiny200.backup-20261128-120000.db.0a0b0c.tmp');
    writeAged(leftover, 5 * 60_000);
    const options = {
      vaultPath: vault,
      oldPassword: bytes(PW_A),
      newPassword: bytes(NEW_PASSWORD),
      openConfig: tiny,
      backup: false,
    };

    const dryRun = await rotateVault({ ...options, dryRun: true });
    expect(existsSync(leftover)).toBe(true);
    expect(dryRun.notes?.join(' ')).not.toContain('temporary');

    const result = await rotateVault(options);
    expect(result.status).toBe('completed');
    expect(result.rotated).toBe(expectedCounts(readManifest('tiny200'), PW_A).rotated);
    expect(existsSync(leftover)).toBe(false);
    expect(result.notes?.join(' ')).toContain('Removed 1 temporary file(s)');
    expect(readdirSync(dir.path).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
