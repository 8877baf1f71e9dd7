/**
 * State and checkpoint folders another account owns or can write are
 * refused, as ssh's StrictModes refuses such a ~/.ssh: checked on real
 * folders (modes set with chmod, another owner with chown when running as
 * root), and through rotateVault, which refuses before anything is written.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectVault, rotateVault } from '../../../../src/engine/index.js';
import { folderExposure } from '../../../../src/engine/fs/private-folder.js';
import { rotationStateBase } from '../../../../src/engine/rotation/state/state-paths.js';
import { copyFixture, makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { sha256File } from '../../../support/vault-builder.js';
import { rotationOptions } from '../support/rotation-checks.js';

const uid = process.getuid?.();
const NOBODY = 65534;

describe.skipIf(uid === undefined)('private state folders', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('vsa-state-');
    chmodSync(dir.path, 0o700);
  });
  afterEach(() => dir.dispose());

  const folder = (name: string, mode: number): string => {
    const path = join(dir.path, name);
    mkdirSync(path, { recursive: true });
    chmodSync(path, mode);
    return path;
  };

  it('accepts a folder only we can write, under a sticky world-writable parent (/tmp)', () => {
    expect(folderExposure(folder('mine', 0o700), uid!)).toBeNull();
    expect(folderExposure(folder('readable', 0o755), uid!)).toBeNull();
    const shared = folder('sticky', 0o1777);
    expect(folderExposure(folder('sticky/mine', 0o700), uid!)).toBeNull();
    // but a sticky folder is no place for the state itself
    expect(folderExposure(shared, uid!)).toMatch(/can be written by every account/);
  });

  it('refuses a folder, or a folder above it, that the group or everyone can write', () => {
    expect(folderExposure(folder('group', 0o770), uid!)).toMatch(/group \(mode 770\)/);
    expect(folderExposure(folder('world', 0o707), uid!)).toMatch(/every account/);
    folder('open', 0o777);
    const inside = folder('open/state', 0o700);
    expect(folderExposure(inside, uid!)).toMatch(
      new RegExp(`${join(dir.path, 'open')} can be written`),
    );
  });

  it('follows a link to where it leads', () => {
    const target = folder('elsewhere/exposed', 0o777);
    const link = join(dir.path, 'link');
    symlinkSync(target, link);
    expect(folderExposure(link, uid!)).toMatch(/exposed can be written/);
  });

  it.skipIf(uid !== 0)('refuses a folder another account owns', () => {
    const theirs = folder('theirs', 0o700);
    chownSync(theirs, NOBODY, NOBODY);
    expect(folderExposure(theirs, uid!)).toMatch(/belongs to another account \(uid 65534\)/);
    const below = folder('theirs/mine', 0o700);
    expect(folderExposure(below, uid!)).toMatch(/theirs belongs to another account/);
  });

  it('a server rotation refuses an exposed state folder before creating anything in it', () => {
    const state = folder('xdg', 0o777);
    expect(() => rotationStateBase('postgres://u@localhost/db', 'vault', state)).toThrow(
      expect.objectContaining({
        code: 'CHECKPOINT',
        message: expect.stringMatching(/not private.*--checkpoint-dir/s),
      }),
    );
    expect(readdirSync(state)).toEqual([]);
    chmodSync(state, 0o700);
    expect(rotationStateBase('postgres://u@localhost/db', 'vault', state).server).toBe(true);
  });

  it('rotateVault refuses a --checkpoint-dir others can write, with the vault untouched', async () => {
    const vault = copyFixture('tiny200', dir.path);
    const before = sha256File(vault);
    const checkpointDir = folder('checkpoints', 0o775);
    await expect(rotateVault(rotationOptions(vault, { checkpointDir }))).rejects.toMatchObject({
      code: 'CHECKPOINT',
      message: expect.stringMatching(/checkpoints can be written by its group/),
    });
    expect(sha256File(vault)).toBe(before);
    expect(readdirSync(checkpointDir)).toEqual([]);
  });

  it('info does not read checkpoints from such a folder, and says why', async () => {
    const vault = copyFixture('tiny200', dir.path);
    const checkpointDir = folder('shared-checkpoints', 0o777);
    const inspection = await inspectVault({ vaultPath: vault, checkpointDir });
    expect(inspection.unfinishedRotations).toEqual([]);
    expect(inspection.checkpointProblem).toMatch(/shared-checkpoints for .* is not private/);
  });
});
