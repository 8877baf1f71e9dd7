/**
 * Each storage driver's package loads when a vault of its kind is opened,
 * not before: a SQLite vault never imports pg or mysql2 (issue 20: 0.13-0.23 s
 * of start-up). Each case runs in a fresh child process, whose module cache
 * is the evidence.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFixture, makeTempDir, type TempDir } from '../../support/fixtures.js';
import { repoRoot } from '../../support/cli.js';

const execFileAsync = promisify(execFile);
const probe = join(import.meta.dirname, 'support', 'driver-loads-probe.ts');

interface ProbeReport {
  readonly beforeOpen: readonly string[];
  readonly afterOpen: readonly string[];
  readonly opened: true | string;
}

async function openInChild(target: string): Promise<ProbeReport> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', probe, target], {
    cwd: repoRoot,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeReport;
}

describe('storage drivers load on demand', () => {
  let temp: TempDir;
  beforeEach(() => {
    temp = makeTempDir('vsa-driver-loads-');
  });
  afterEach(() => temp.dispose());

  it('importing the engine loads no storage package; a SQLite vault loads only its own', async () => {
    const report = await openInChild(copyFixture('tiny200', temp.path));
    expect(report).toEqual({ beforeOpen: [], afterOpen: ['better-sqlite3'], opened: true });
  });

  // The same probe sees a server driver load (nothing listens on port 9): the check above can fail.
  it.each([
    ['pg', 'postgres://admin@127.0.0.1:9/app?sslmode=disable'],
    ['mysql2', 'mysql://admin@127.0.0.1:9/app?ssl-mode=DISABLED'],
  ])('%s loads when a vault in its server is opened, and only then', async (name, target) => {
    const report = await openInChild(target);
    expect(report).toEqual({ beforeOpen: [], afterOpen: [name], opened: 'SERVER_UNREACHABLE' });
  });
});
