/**
 * The test helper convention (issue 17): in a test folder, a file is a test
 * (`*.test.ts(x)`) or sits in that folder's `support/`; nothing is called
 * `helpers`. Helpers several folders share live in test/support/.
 * The folders below follow it; test/engine and test/main join once their
 * files have moved (issue 17, items 1-4).
 */
import { readdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const FOLDERS = ['test/cli', 'test/renderer', 'test/reliability', 'test/support'];

function filesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** What breaks the convention in one file, or null. */
function misplacedTestFile(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/^helpers?\./i.test(name)) return `${path}: name it for what it holds, in a support/ folder`;
  if (path.startsWith('test/support/')) return null;
  if (/\.test\.tsx?$/.test(name) || path.includes('/support/')) return null;
  return `${path}: not a test; move it to its folder's support/`;
}

describe('test helper convention', () => {
  it('names what breaks it: a helpers file, a helper beside the tests', () => {
    expect(misplacedTestFile('test/cli/helpers.ts')).toMatch(/name it for what it holds/);
    expect(misplacedTestFile('test/reliability/support/helpers.ts')).toMatch(/name it/);
    expect(misplacedTestFile('test/renderer/fake-api.ts')).toMatch(/move it to its folder/);
    expect(misplacedTestFile('test/renderer/support/fake-api.ts')).toBeNull();
    expect(misplacedTestFile('test/cli/args.test.ts')).toBeNull();
    expect(misplacedTestFile('test/support/fake-servers/postgres.ts')).toBeNull();
  });

  it.each(FOLDERS)('holds in %s', (folder) => {
    const files = filesUnder(folder);
    expect(files.length).toBeGreaterThan(0);
    expect(files.map(misplacedTestFile).filter((problem) => problem !== null)).toEqual([]);
  });
});
