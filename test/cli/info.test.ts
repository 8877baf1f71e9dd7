/**
 * `info` on a vault with an unfinished rotation (a real one, cancelled through
 * the engine): the text and JSON name its table, progress and settings, and
 * the printed resume command, given the passwords, finishes it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rotateVault, type Argon2Config } from '../../src/engine/index.js';
import { copyFixture, makeTempDir, readManifest, type TempDir } from '../support/fixtures.js';
import {
  buildCliForTest,
  expectNoSecret,
  runCli,
  writePasswordFiles,
  type BuiltCli,
} from '../support/cli.js';
import { FIXTURE_PASSWORD_A, FIXTURE_PASSWORD_B } from '../support/passwords.js';

const OLD = FIXTURE_PASSWORD_A;
const NEW = 'cli-info-new-password-0123';
const manifest = readManifest('tiny200');
const TINY: Argon2Config = { iterations: 1, memoryKiB: 64, parallelism: 1 };
const WRITE: Argon2Config = { iterations: 2, memoryKiB: 64, parallelism: 1 };
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

let cli: BuiltCli;
let temp: TempDir;
let vault: string;

beforeAll(async () => {
  cli = await buildCliForTest('info');
});
afterAll(() => cli?.dispose());
beforeEach(() => {
  temp = makeTempDir('vsa-cli-info-');
  vault = copyFixture('tiny200', temp.path);
});
afterEach(() => temp.dispose());

/** Cancels a rotation from its own progress events once 50 records were scanned. */
async function interruptRotation(checkpointDir: string) {
  const controller = new AbortController();
  const result = await rotateVault({
    vaultPath: vault,
    oldPassword: text(OLD),
    newPassword: text(NEW),
    openConfig: TINY,
    writeConfig: WRITE,
    includeSoftDeleted: false,
    checkpointDir,
    workers: 2,
    batchSize: 8,
    progressIntervalMs: 0,
    signal: controller.signal,
    onProgress: (progress) => {
      if (progress.scanned >= 50) controller.abort();
    },
  });
  expect(result.status).toBe('cancelled');
  return result;
}

describe('info with an unfinished rotation', () => {
  it('says nothing about rotations when there is none', async () => {
    const run = await runCli(cli.entry, ['info', vault]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/Unfinished rotation/);
  });

  it('shows its progress and settings, as text and JSON, and a resume command that finishes it', async () => {
    const checkpointDir = join(temp.path, 'checkpoints');
    mkdirSync(checkpointDir);
    const cancelled = await interruptRotation(checkpointDir);
    const inScope = manifest.n - manifest.soft_deleted;

    const run = await runCli(cli.entry, ['info', vault, '--checkpoint-dir', checkpointDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Unfinished rotation of table vault: started `);
    expect(run.stdout).toContain(
      `(1 run), ${cancelled.scanned} of ${inScope} records done (${cancelled.rotated} rotated, ` +
        `${cancelled.skipped} did not open, 0 failed).`,
    );
    expect(run.stdout).toContain(
      'Settings: Argon2id t=1, m=64 KiB, p=1 (tiny) to open, t=2, m=64 KiB, p=1 for the new values; ' +
        'soft-deleted records skipped.',
    );
    expect(run.stdout).toContain(`Backup: ${cancelled.backupPath}`);
    const resumeLine = run.stdout.split('\n').find((line) => line.includes('Resume it with'));
    const command = resumeLine?.split(': ')[1] ?? '';
    expect(command).toBe(
      `vaultstore-admin rotate ${vault} --table vault --resume --crypto tiny --new-crypto t=2,m=64,p=1 ` +
        `--skip-soft-deleted --checkpoint-dir ${checkpointDir}`,
    );

    const json = await runCli(cli.entry, [
      'info',
      vault,
      '--json',
      '--checkpoint-dir',
      checkpointDir,
    ]);
    expect(json.code).toBe(0);
    const inspection = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(inspection).toMatchObject({
      checkpointProblem: null,
      unfinishedRotations: [
        {
          table: 'vault',
          openConfig: TINY,
          writeConfig: WRITE,
          includeSoftDeleted: false,
          recordsInScope: inScope,
          runs: 1,
          redoFromStart: false,
          backupPath: cancelled.backupPath,
          counts: { scanned: cancelled.scanned, rotated: cancelled.rotated },
        },
      ],
    });
    expect(json.stdout).not.toMatch(/canaries|proof|cursor/);

    // The printed command (temp paths need no quoting), with the passwords added, completes the rotation.
    const passwords = writePasswordFiles(temp.path, OLD, NEW);
    const argv = command.split(' ').slice(1);
    const resumed = await runCli(cli.entry, [
      ...argv,
      '--old-password-file',
      passwords.old,
      '--new-password-file',
      passwords.new,
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = await runCli(cli.entry, ['info', vault, '--checkpoint-dir', checkpointDir]);
    expect(after.stdout).not.toMatch(/Unfinished rotation/);
    for (const output of [run, json, resumed, after]) {
      expect(expectNoSecret(output, [OLD, NEW, FIXTURE_PASSWORD_B])).toEqual([]);
    }
  });

  it('reports a damaged checkpoint and still lists the tables', async () => {
    writeFileSync(`${vault}.rotation-checkpoint.json`, 'not json\n');
    const run = await runCli(cli.entry, ['info', vault]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^vault\s+200\s/m);
    expect(run.stdout).toMatch(/checkpoint .* is damaged or from another version/);
  });
});
