/**
 * Ctrl-C, SIGTERM and SIGHUP during a real rotation of a generated vault (10,000
 * records, tiny preset): exit 3 with the command that resumes; running it
 * finishes the job and every record then opens with the right password to
 * its original plaintext. SIGHUP (an SSH disconnect) does the same. A second
 * Ctrl-C forces the exit (130); resume still finishes.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { openValue } from '../../src/engine/codec/index.js';
import { loadArgon2idBackend } from '../../src/engine/kdf/index.js';
import {
  expectedPlaintext,
  generateVault,
  type GeneratedVault,
} from '../../bench/vault-generator.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  collect,
  expectNoSecret,
  jsonLines,
  runCli,
  startCli,
  waitForOutput,
  type BuiltCli,
  type CliRun,
} from '../support/cli.js';
import { readValues } from './support/vault-check.js';

const OLD = 'cancel-old-password-0123456789';
const NEW = 'cancel-new-password-0123456789';
const OTHER = 'cancel-other-password-0123456789';
const SECRETS = [OLD, NEW, OTHER];
const ENV = { VSA_OLD: OLD, VSA_NEW: NEW };
const RECORDS = 10_000;

let cli: BuiltCli;
let temp: TempDir;
let generated: GeneratedVault;
let original: string;

beforeAll(async () => {
  temp = makeTempDir('vsa-cli-cancel-');
  original = join(temp.path, 'original.db');
  [cli, generated] = await Promise.all([
    buildCliForTest('cancel'),
    generateVault({
      path: original,
      records: RECORDS,
      config: ARGON2_PRESETS.tiny,
      saltsPerPassword: 64,
      mix: [
        { password: OLD, share: 0.8, version: 'v2' },
        { password: OLD, share: 0.05, version: 'v1' },
        { password: OTHER, share: 0.15, version: 'v2' },
      ],
    }),
  ]);
});
afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

const underOld = (): number => {
  const counts = generated.byPassword[OLD]!;
  return counts.v1 + counts.v2;
};

function freshCopy(name: string): string {
  const path = join(temp.path, `${name}.db`);
  copyFileSync(original, path);
  return path;
}

function rotateArgs(vault: string, backup = true): string[] {
  return [
    'rotate',
    vault,
    '--crypto',
    'tiny',
    ...(backup ? [] : ['--no-backup']),
    '--json',
    '--old-password-env',
    'VSA_OLD',
    '--new-password-env',
    'VSA_NEW',
  ];
}

/** Starts a rotation and sends `signals` once it has committed some records. */
async function interrupt(vault: string, signals: NodeJS.Signals[], backup = true): Promise<CliRun> {
  const running = startCli(cli.entry, rotateArgs(vault, backup), { cwd: temp.path, env: ENV });
  const { child } = running;
  child.stdin?.end();
  const done = collect(running);
  await waitForOutput(child.stdout!, (text) =>
    jsonLines(text.slice(0, text.lastIndexOf('\n') + 1)).some(
      (line) => line.type === 'progress' && line.phase === 'rotating' && Number(line.rotated) > 0,
    ),
  );
  for (const signal of signals) child.kill(signal);
  const result = await done;
  expect(expectNoSecret(result, SECRETS)).toEqual([]);
  return result;
}

/** The resume command as printed, split into arguments (paths here have no spaces). */
function resumeArgv(command: string): string[] {
  const [name, ...argv] = command.split(' ');
  expect(name).toBe('vaultstore-admin');
  return argv;
}

/** Every record opens with the password it should have, to its original plaintext. */
async function checkFinalVault(vault: string): Promise<void> {
  const kdf = await loadArgon2idBackend('auto');
  const values = readValues(vault);
  const before = readValues(original);
  expect(values.size).toBe(RECORDS);
  let rotated = 0;
  const newBytes = Buffer.from(NEW);
  for (const [id, value] of values) {
    if (value === before.get(id)) continue; // untouched: byte-for-byte
    const opened = await openValue(value, newBytes, ARGON2_PRESETS.tiny, kdf);
    expect(
      opened.ok && opened.version === 'v2' && opened.plaintext.equals(expectedPlaintext(id)),
      id,
    ).toBe(true);
    rotated++;
  }
  expect(rotated).toBe(underOld());
}

describe('cancel and resume', () => {
  it('SIGINT: exit 3, the resume command, then --resume finishes and the vault verifies', async () => {
    const vault = freshCopy('sigint');
    const cancelled = await interrupt(vault, ['SIGINT']);
    expect(cancelled.code, cancelled.stderr).toBe(3);
    expect(cancelled.stderr).toContain('Cancelling… (press Ctrl-C again to force)');
    const summary = jsonLines(cancelled.stdout).at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', status: 'cancelled', table: 'vault' });
    expect(Number(summary.rotated)).toBeGreaterThan(0);
    expect(Number(summary.scanned)).toBeLessThan(RECORDS);
    expect(summary.checkpoint).toEqual(expect.any(String));
    const command = String(summary.resumeCommand);
    expect(command).toContain(
      `vaultstore-admin rotate ${vault} --table vault --resume --crypto tiny --json`,
    );
    expect(command).toContain('--old-password-env VSA_OLD --new-password-env VSA_NEW');
    expect(cancelled.stderr).toContain(`To resume:\n  ${command}`);

    const resumed = await runCli(cli.entry, resumeArgv(command), { cwd: temp.path, env: ENV });
    expect(expectNoSecret(resumed, SECRETS)).toEqual([]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Counts are cumulative over the runs: no record was rotated twice.
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({
      status: 'completed',
      scanned: RECORDS,
      rotated: underOld(),
      skipped: RECORDS - underOld(),
      failed: 0,
      checkpoint: null,
    });
    // Progress counts the earlier run too: its total and scanned agree with the summary.
    const progress = jsonLines(resumed.stdout).filter((line) => line.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', total: RECORDS, scanned: RECORDS });
    for (const line of progress)
      expect(Number(line.scanned)).toBeLessThanOrEqual(Number(line.total));
    await checkFinalVault(vault);
  });

  it('SIGTERM cancels like a first Ctrl-C', async () => {
    const vault = freshCopy('sigterm');
    const cancelled = await interrupt(vault, ['SIGTERM'], false);
    expect(cancelled.code, cancelled.stderr).toBe(3);
    expect(jsonLines(cancelled.stdout).at(-1)).toMatchObject({ status: 'cancelled' });
  });

  it('SIGHUP (the SSH session closed): exit 3, the resume command, then --resume finishes and the vault verifies', async () => {
    const vault = freshCopy('sighup');
    const cancelled = await interrupt(vault, ['SIGHUP']);
    expect(cancelled.signal, 'not killed by the signal').toBeNull();
    expect(cancelled.code, cancelled.stderr).toBe(3);
    expect(cancelled.stderr).toContain('Cancelling: the terminal or SSH session closed (SIGHUP)');
    const summary = jsonLines(cancelled.stdout).at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', status: 'cancelled', table: 'vault' });
    expect(Number(summary.rotated)).toBeGreaterThan(0);
    expect(Number(summary.scanned)).toBeLessThan(RECORDS);
    expect(summary.checkpoint).toEqual(expect.any(String));
    const command = String(summary.resumeCommand);
    expect(command).toContain(`vaultstore-admin rotate ${vault} --table vault --resume`);
    expect(cancelled.stderr).toContain(`To resume:\n  ${command}`);

    const resumed = await runCli(cli.entry, resumeArgv(command), { cwd: temp.path, env: ENV });
    expect(expectNoSecret(resumed, SECRETS)).toEqual([]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({
      status: 'completed',
      scanned: RECORDS,
      rotated: underOld(),
      failed: 0,
      checkpoint: null,
      driver: 'better-sqlite3',
    });
    await checkFinalVault(vault);
  });

  it('a failure mid-run (a lock held past the busy timeout) exits 1 with the command that resumes', async () => {
    const vault = freshCopy('locked');
    const running = startCli(cli.entry, rotateArgs(vault, false), { cwd: temp.path, env: ENV });
    const { child } = running;
    child.stdin?.end();
    const done = collect(running);
    await waitForOutput(child.stdout!, (text) => /"rotated":[1-9]/.test(text));
    // Another program takes the database for longer than the engine waits (5 s by default).
    const blocker = new Database(vault);
    blocker.exec('BEGIN EXCLUSIVE');
    const failed = await done.finally(() => {
      blocker.exec('ROLLBACK');
      blocker.close();
    });
    expect(expectNoSecret(failed, SECRETS)).toEqual([]);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/^error: /m);
    const errorLine = jsonLines(failed.stdout).at(-1)!;
    expect(errorLine).toMatchObject({ type: 'error', exitCode: 1 });
    const command = String(errorLine.resumeCommand);
    expect(command).toContain('--resume');
    expect(failed.stderr).toContain(`continue with:\n  ${command}`);

    const resumed = await runCli(cli.entry, resumeArgv(command), { cwd: temp.path, env: ENV });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: underOld(),
    });
    await checkFinalVault(vault);
  });

  it('a second Ctrl-C forces the exit (130) and prints the resume command; resuming still finishes', async () => {
    // Slow derivations (~0.3 s) keep the first cancel in progress long enough for a second Ctrl-C.
    const slow = 't=8,m=65536,p=1';
    const vault = join(temp.path, 'forced.db');
    // More records than the pre-flight samples (16, rotated by the check itself): the pass has work left.
    await generateVault({
      path: vault,
      records: 30,
      config: { iterations: 8, memoryKiB: 65536, parallelism: 1 },
      saltsPerPassword: 2,
      mix: [{ password: OLD, share: 1, version: 'v2' }],
    });
    const args = rotateArgs(vault, false).map((arg) => (arg === 'tiny' ? slow : arg));
    const running = startCli(cli.entry, args, { cwd: temp.path, env: ENV });
    const { child } = running;
    child.stdin?.end();
    const done = collect(running);
    await waitForOutput(child.stdout!, (text) => text.includes('"phase":"rotating"'));
    child.kill('SIGINT');
    await waitForOutput(child.stderr!, (text) => text.includes('Cancelling…'));
    child.kill('SIGINT');
    const forced = await done;
    expect(expectNoSecret(forced, SECRETS)).toEqual([]);
    expect(forced.code, forced.stderr).toBe(130);
    expect(forced.stderr).toContain('Forced exit.');
    const command = /To resume:\n {2}(.+)\n/.exec(forced.stderr)?.[1] ?? '';
    expect(command).toContain(`--resume --crypto ${slow}`);

    const resumed = await runCli(cli.entry, resumeArgv(command), { cwd: temp.path, env: ENV });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jsonLines(resumed.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: 30,
      failed: 0,
    });
  });
});
