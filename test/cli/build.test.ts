/**
 * scripts/build-cli.mjs (run by `npm install` through "prepare", by
 * `npm run build:cli` and `npm run bench`) and the package's bin.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../support/fixtures.js';
import { copyFixture } from '../support/fixtures.js';
import { repoRoot, runCli } from '../support/cli.js';

const execFileAsync = promisify(execFile);

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(file: string, args: string[], cwd = repoRoot): Promise<Exec> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    };
  }
}

const scratch = join(repoRoot, 'out', 'test-cli', `build-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The storage packages a run of the bundled CLI loaded (support/report-loaded-packages.mjs). */
async function packagesLoadedBy(entry: string, args: string[]): Promise<string[]> {
  const preload = join(import.meta.dirname, 'support', 'report-loaded-packages.mjs');
  const result = await exec(process.execPath, ['--import', preload, entry, ...args]);
  expect(result.code, result.stderr).toBe(0);
  const line = result.stderr.split('\n').find((text) => text.startsWith('loaded-packages: '));
  if (!line) throw new Error(`no loaded-packages line in: ${result.stderr}`);
  return JSON.parse(line.slice('loaded-packages: '.length)) as string[];
}

describe('scripts/build-cli.mjs', () => {
  it('bundles the CLI, the benchmark and every engine worker, quietly', async () => {
    const outdir = join(scratch, 'bundle');
    const result = await exec(process.execPath, ['scripts/build-cli.mjs', '--outdir', outdir]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(outdir).sort()).toEqual(
      expect.arrayContaining([
        'bench.mjs',
        'crypto-worker.mjs',
        'kdf-worker.mjs',
        'vaultstore-admin.mjs',
      ]),
    );
    const version = await runCli(join(outdir, 'vaultstore-admin.mjs'), ['--version']);
    expect(version.stdout).toMatch(/^vaultstore-admin \d+\.\d+\.\d+/);
    const bench = await runCli(join(outdir, 'bench.mjs'), ['--help']);
    expect(bench.code).toBe(0);
    expect(bench.stdout).toContain('Usage: npm run bench');
  });

  it("keeps pg, mysql2 and the queue's Redis client out of start-up and a SQLite vault's run", async () => {
    const outdir = join(scratch, 'lazy');
    expect((await exec(process.execPath, ['scripts/build-cli.mjs', '--outdir', outdir])).code).toBe(
      0,
    );
    const entry = join(outdir, 'vaultstore-admin.mjs');
    expect(await packagesLoadedBy(entry, ['--version'])).toEqual([]);
    mkdirSync(join(scratch, 'vaults'), { recursive: true });
    const vault = copyFixture('tiny200', join(scratch, 'vaults'));
    expect(await packagesLoadedBy(entry, ['info', vault, '--json'])).toEqual(['better-sqlite3']);
  });

  it('fails with a non-zero exit and a message when it cannot write the bundle', async () => {
    mkdirSync(scratch, { recursive: true });
    const blocker = join(scratch, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const result = await exec(process.execPath, [
      'scripts/build-cli.mjs',
      '--outdir',
      join(blocker, 'cli'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('build-cli:');
  });
});

describe('the package bin', () => {
  it('runs the bundle next to it (../out/cli)', async () => {
    const root = join(scratch, 'package');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(
      join(repoRoot, 'bin/vaultstore-admin.mjs'),
      join(root, 'bin/vaultstore-admin.mjs'),
    );
    const built = await exec(process.execPath, [
      'scripts/build-cli.mjs',
      '--outdir',
      join(root, 'out/cli'),
    ]);
    expect(built.code).toBe(0);
    const help = await runCli(join(root, 'bin/vaultstore-admin.mjs'), ['rotate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: vaultstore-admin rotate');
  });

  it('says how to build when the bundle is missing', async () => {
    const temp = makeTempDir('vsa-bin-');
    try {
      mkdirSync(join(temp.path, 'bin'));
      copyFileSync(
        join(repoRoot, 'bin/vaultstore-admin.mjs'),
        join(temp.path, 'bin/vaultstore-admin.mjs'),
      );
      const result = await runCli(join(temp.path, 'bin/vaultstore-admin.mjs'), ['--help']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('npm run build:cli');
      expect(existsSync(join(temp.path, 'out'))).toBe(false);
    } finally {
      temp.dispose();
    }
  });

  it('`npx vaultstore-admin --help` works from the repo root after the prepare build', async () => {
    const prepare = await exec(process.execPath, ['scripts/build-cli.mjs']);
    expect(prepare.code).toBe(0);
    const result = await exec('npx', ['--offline', 'vaultstore-admin', '--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('vaultstore-admin info <vault.db | connection string>');
  });
});
