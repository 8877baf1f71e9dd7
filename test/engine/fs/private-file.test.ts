/**
 * The private-file primitives on real files: exclusive 0600 creation, random
 * temporaries, publishing that never writes through a link, cleanup that
 * never deletes one.
 */
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPrivateFile,
  producePrivateFileAtomically,
  removeRegularFile,
  writePrivateFileAtomically,
} from '../../../src/engine/fs/private-file.js';
import { makeVictim } from '../../support/victim-file.js';
import { makeTempDir, type TempDir } from '../../support/fixtures.js';

let temp: TempDir;
let folder: string;
let victim: string;

let expectVictimIntact: () => void;

beforeEach(() => {
  temp = makeTempDir('vsa-private-file-');
  folder = join(temp.path, 'work');
  mkdirSync(folder);
  ({ path: victim, expectIntact: expectVictimIntact } = makeVictim(temp.path));
});
afterEach(() => temp.dispose());

const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

describe('createPrivateFile', () => {
  it('creates the file 0600 from the start', () => {
    const path = join(folder, 'new');
    createPrivateFileAndClose(path);
    expect(modeOf(path)).toBe(0o600);
  });

  it('refuses a link at the name (to a file, or dangling) and an existing file', () => {
    const toVictim = join(folder, 'to-victim');
    const dangling = join(folder, 'dangling');
    const target = join(temp.path, 'elsewhere', 'would-be-created');
    symlinkSync(victim, toVictim);
    symlinkSync(target, dangling);
    writeFileSync(join(folder, 'existing'), 'x');
    for (const path of [toVictim, dangling, join(folder, 'existing')]) {
      expect(() => createPrivateFileAndClose(path)).toThrow(/EEXIST|ELOOP/);
    }
    expectVictimIntact();
    expect(existsSync(target)).toBe(false);
  });
});

function createPrivateFileAndClose(path: string): void {
  closeSync(createPrivateFile(path));
}

describe('writePrivateFileAtomically', () => {
  /** The temporaries a write used, seen (with their mode) just before publishing. */
  function writeAndWatch(destination: string, content: string): { name: string; mode: number } {
    let seen: { name: string; mode: number } | null = null;
    writePrivateFileAtomically(destination, content, {
      beforePublish: () => {
        const names = readdirSync(folder).filter((name) => name.endsWith('.tmp'));
        expect(names).toHaveLength(1);
        seen = { name: names[0]!, mode: modeOf(join(folder, names[0]!)) };
      },
    });
    if (!seen) throw new Error('beforePublish was not called');
    return seen;
  }

  it('uses a new random 0600 temporary for every write, and leaves none behind', () => {
    const destination = join(folder, 'state.json');
    const first = writeAndWatch(destination, 'one');
    const second = writeAndWatch(destination, 'two');
    expect(first.name).toMatch(/^\.state\.json\.[0-9a-f]{16}\.tmp$/);
    expect(second.name).toMatch(/^\.state\.json\.[0-9a-f]{16}\.tmp$/);
    expect(first.name).not.toBe(second.name);
    expect(first.name).not.toContain(String(process.pid));
    expect([first.mode, second.mode]).toEqual([0o600, 0o600]);
    expect(readFileSync(destination, 'utf8')).toBe('two');
    expect(modeOf(destination)).toBe(0o600);
    expect(readdirSync(folder)).toEqual(['state.json']);
  });

  it('replace: a link at the destination is replaced by the file, its target untouched', () => {
    const destination = join(folder, 'state.json');
    symlinkSync(victim, destination);
    writePrivateFileAtomically(destination, 'new content');
    expect(lstatSync(destination).isFile()).toBe(true);
    expect(readFileSync(destination, 'utf8')).toBe('new content');
    expectVictimIntact();
  });

  it('no-replace: refuses anything at the destination, a dangling link included', () => {
    const toVictim = join(folder, 'backup-a.db');
    const dangling = join(folder, 'backup-b.db');
    const target = join(temp.path, 'elsewhere', 'would-be-created');
    symlinkSync(victim, toVictim);
    symlinkSync(target, dangling);
    for (const destination of [toVictim, dangling]) {
      expect(() =>
        writePrivateFileAtomically(destination, 'backup', { publish: 'no-replace' }),
      ).toThrow(/EEXIST/);
    }
    expectVictimIntact();
    expect(existsSync(target)).toBe(false);
    expect(readlinkSync(dangling)).toBe(target);
    expect(readdirSync(folder).sort()).toEqual(['backup-a.db', 'backup-b.db']);
    writePrivateFileAtomically(join(folder, 'free.db'), 'backup', { publish: 'no-replace' });
    expect(readFileSync(join(folder, 'free.db'), 'utf8')).toBe('backup');
  });

  it('removes its temporary when the write is cancelled, and leaves the destination', () => {
    const destination = join(folder, 'state.json');
    writeFileSync(destination, 'old');
    expect(() =>
      writePrivateFileAtomically(destination, 'new', {
        beforePublish: () => {
          throw new Error('changed meanwhile');
        },
      }),
    ).toThrow('changed meanwhile');
    expect(readdirSync(folder)).toEqual(['state.json']);
    expect(readFileSync(destination, 'utf8')).toBe('old');
  });

  it('applies the requested mode only to the complete file', () => {
    const destination = join(folder, 'vault.db');
    writePrivateFileAtomically(destination, 'bytes', {
      ownership: { mode: 0o640, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
      beforePublish: () => {
        const [name] = readdirSync(folder);
        // already complete here: the mode was widened after the last byte and fsync
        expect(modeOf(join(folder, name!))).toBe(0o640);
      },
    });
    expect(modeOf(destination)).toBe(0o640);
  });
});

describe('producePrivateFileAtomically', () => {
  it('hands the writer an existing empty 0600 file', async () => {
    const destination = join(folder, 'copy.db');
    await producePrivateFileAtomically(destination, async (temporary) => {
      expect(lstatSync(temporary).size).toBe(0);
      expect(modeOf(temporary)).toBe(0o600);
      writeFileSync(temporary, 'produced');
    });
    expect(readFileSync(destination, 'utf8')).toBe('produced');
    expect(readdirSync(folder)).toEqual(['copy.db']);
  });

  it('refuses to publish when its temporary was swapped for a link meanwhile', async () => {
    const destination = join(folder, 'copy.db');
    await expect(
      producePrivateFileAtomically(destination, async (temporary) => {
        renameSync(temporary, join(folder, 'moved-away'));
        symlinkSync(victim, temporary);
      }),
    ).rejects.toThrow(/replaced by another program/);
    expect(existsSync(destination)).toBe(false);
    expectVictimIntact();
    // the planted link is not ours: left in place, as is the file moved away
    const names = readdirSync(folder).sort();
    expect(names).toHaveLength(2);
    expect(names).toContain('moved-away');
  });
});

describe('removeRegularFile', () => {
  it('removes a regular file; never a link, its target, or a folder', () => {
    const file = join(folder, 'stale.tmp');
    const link = join(folder, 'link.tmp');
    const sub = join(folder, 'dir.tmp');
    writeFileSync(file, 'x');
    symlinkSync(victim, link);
    mkdirSync(sub);
    expect(removeRegularFile(file)).toBe(true);
    expect(removeRegularFile(link)).toBe(false);
    expect(removeRegularFile(sub)).toBe(false);
    expect(removeRegularFile(join(folder, 'absent'))).toBe(false);
    expect(readdirSync(folder).sort()).toEqual(['dir.tmp', 'link.tmp']);
    expectVictimIntact();
  });

  it('asks the caller whether it recognises the file', () => {
    const file = join(folder, 'young.tmp');
    writeFileSync(file, 'x');
    expect(removeRegularFile(file, () => false)).toBe(false);
    expect(existsSync(file)).toBe(true);
  });
});
