/**
 * The built CLI on a mixed v1/v2 vault given the wrong Argon2id settings: v1
 * records open whatever the settings, so without the v2 check the rotation
 * would "complete" with every v2 record skipped. It must refuse up front,
 * leave the file byte-identical, and name the preset when one opens.
 *
 * And when no sampled record opens at all (a vault made with custom settings
 * and rotated with others, or one already rotated): refused before any scan,
 * exit 4, the possible causes listed, the file byte-identical, no record
 * scanned (no progress of the rotating phase); `--scan-anyway` scans.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../src/core/argon2.js';
import { WIDE_V2_SAMPLE } from '../../src/engine/rotation/checks/open-config-check.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { buildVault, recordMix, sha256File, type BuiltVault } from '../support/vault-builder.js';
import {
  buildCliForTest,
  expectNoSecret,
  jsonLines,
  runCli,
  type BuiltCli,
  type CliRun,
} from '../support/cli.js';

const OLD = 'Old-Password-0123456789';
const NEW = 'New-Password-0123456789';
/** The application's own settings: no library preset, cheap enough for a test. */
const CUSTOM: Argon2Config = { iterations: 2, memoryKiB: 256, parallelism: 1 };
/** More records than the widened sample, so a scan would be visible. */
const RECORDS = 120;

let cli: BuiltCli;
let temp: TempDir;
let oldFile: string;
let newFile: string;

beforeAll(async () => {
  cli = await buildCliForTest('wrong-preset');
});
afterAll(() => cli?.dispose());

beforeEach(() => {
  temp = makeTempDir('vsa-cli-preset-');
  oldFile = join(temp.path, 'old.txt');
  newFile = join(temp.path, 'new.txt');
  writeFileSync(oldFile, OLD, { mode: 0o600 });
  writeFileSync(newFile, NEW, { mode: 0o600 });
});
afterEach(() => temp.dispose());

async function run(args: readonly string[]): Promise<CliRun> {
  const result = await runCli(cli.entry, args, { cwd: temp.path });
  expect(expectNoSecret(result, [OLD, NEW]), `${result.stdout}\n${result.stderr}`).toEqual([]);
  return result;
}

const passwords = () => ['--old-password-file', oldFile, '--new-password-file', newFile];

describe('rotate with Argon2id settings that open no v2 record', () => {
  it('refuses a mixed v1/v2 vault although its v1 records open, file byte-identical', async () => {
    // 40 v2 (tiny) + 10 v1 records, all under the old password
    const vault = await buildVault(join(temp.path, 'mixed.db'), {
      records: recordMix(50, [
        { password: OLD, weight: 4 },
        { password: OLD, version: 'v1' },
      ]),
    });
    const hash = sha256File(vault.path);
    const wrong = await run(['rotate', vault.path, '--crypto', 't=1,m=128,p=1', ...passwords()]);
    expect(wrong.code, wrong.stderr).toBe(4);
    // v1 opens and the first 16 v2 do not: the v2 sample is widened before refusing
    expect(wrong.stderr).toMatch(/Pre-flight: the old password opened 0 of \d+ sampled v2 records/);
    expect(wrong.stderr).toContain('10 of 10 legacy v1 records');
    expect(wrong.stderr).toContain(
      'error: The old password opened none of the 40 sampled v2 records',
    );
    expect(wrong.stderr).toContain('nothing was changed');
    expect(wrong.stderr).toContain('--crypto');
    expect(wrong.stdout).not.toContain('Rotated');
    expect(sha256File(vault.path)).toBe(hash);
    expect(readdirSync(temp.path).sort()).toEqual(['mixed.db', 'new.txt', 'old.txt']);

    // the right settings rotate all 50
    const right = await rotate(vault, 'tiny');
    expect(right.code, right.stderr).toBe(0);
    expect(jsonLines(right.stdout).at(-1)).toMatchObject({ status: 'completed', rotated: 50 });
  });

  it('names the preset the vault uses: "run again with --crypto lightweight"', async () => {
    const vault = await buildVault(join(temp.path, 'light.db'), {
      config: ARGON2_PRESETS.lightweight,
      records: [{ password: OLD }, { password: OLD }, { password: OLD, version: 'v1' }],
    });
    const hash = sha256File(vault.path);
    const result = await rotate(vault, 'tiny');
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain(
      'This vault looks like it uses the lightweight preset (t=2, m=32768 KiB, p=2 opened a sampled v2 record): run again with --crypto lightweight.',
    );
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({
      type: 'preflight',
      canRotate: false,
      suggestedPreset: 'lightweight',
      v2: { sampled: 2, opened: 0 },
      v1: { sampled: 1, opened: 1 },
    });
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'WRONG_ARGON2_CONFIG', exitCode: 4 });
    expect(sha256File(vault.path)).toBe(hash);
  });
});

function customVault(password: string): Promise<BuiltVault> {
  return buildVault(join(temp.path, 'custom.db'), {
    config: CUSTOM,
    records: Array.from({ length: RECORDS }, () => ({ password })),
  });
}

/** `rotate VAULT --crypto SPEC [extra] --json` with the password files. */
function rotate(vault: BuiltVault, crypto: string, ...extra: string[]): Promise<CliRun> {
  return run(['rotate', vault.path, '--crypto', crypto, ...extra, '--json', ...passwords()]);
}

function rotatingEvents(stdout: string): Record<string, unknown>[] {
  return jsonLines(stdout).filter((line) => line.type === 'progress' && line.phase === 'rotating');
}

describe('rotate when no sampled record opens', () => {
  it('refuses a vault made with custom settings before any scan, listing the causes', async () => {
    const vault = await customVault(OLD);
    const hash = sha256File(vault.path);
    const result = await rotate(vault, 'tiny');
    expect(result.code, result.stderr).toBe(4);
    const lines = jsonLines(result.stdout);
    // the sample was widened (16, then 64 records) before refusing, and stayed a sample
    expect(lines[0]).toMatchObject({
      type: 'preflight',
      canRotate: false,
      refusal: 'nothing-opened',
      opened: 0,
      v2: { sampled: WIDE_V2_SAMPLE, opened: 0 },
      newPasswordSample: { opened: 0 },
      total: RECORDS,
    });
    expect(lines[0]).not.toHaveProperty('suggestedPreset');
    expect(rotatingEvents(result.stdout)).toEqual([]);
    expect(lines.filter((line) => line.type === 'summary')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'NOTHING_OPENED', exitCode: 4 });
    expect(result.stderr).toContain(
      `error: the old password opened none of the ${WIDE_V2_SAMPLE} sampled records of table "vault"`,
    );
    expect(result.stderr).toContain('Possible causes:');
    expect(result.stderr).toContain('  - the old password is wrong');
    expect(result.stderr).toMatch(/ {2}- the vault uses other Argon2id settings than t=1, m=64/);
    expect(result.stderr).toContain('--crypto t=..,m=..,p=..');
    expect(result.stderr).toContain(
      '  - the vault was already rotated to another password (the new password opened none of 8 sampled records)',
    );
    expect(result.stderr).toContain('test every record anyway with --scan-anyway');
    expect(result.stderr).not.toContain('Press Ctrl-C');
    expect(sha256File(vault.path)).toBe(hash);
    expect(readdirSync(temp.path).sort()).toEqual(['custom.db', 'new.txt', 'old.txt']);

    // the right settings rotate every record
    const right = await rotate(vault, 't=2,m=256,p=1', '--no-backup');
    expect(right.code, right.stderr).toBe(0);
    expect(jsonLines(right.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: RECORDS,
    });
  });

  it('tells an already rotated vault apart, naming the verify command', async () => {
    const vault = await customVault(NEW);
    const hash = sha256File(vault.path);
    const result = await rotate(vault, 't=2,m=256,p=1');
    expect(result.code, result.stderr).toBe(4);
    const lines = jsonLines(result.stdout);
    expect(lines[0]).toMatchObject({
      type: 'preflight',
      canRotate: false,
      refusal: 'already-rotated',
      newPasswordSample: { sampled: 8, opened: 8 },
    });
    expect(rotatingEvents(result.stdout)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'ALREADY_ROTATED', exitCode: 4 });
    expect(result.stderr.split('\n')[0]).toBe(
      '8 of 8 sampled records already open with the new password: this vault looks already rotated (a previous run probably completed).',
    );
    expect(result.stderr).toMatch(/Check with: vaultstore-admin verify .*--password-file/);
    expect(result.stderr).toContain('--scan-anyway');
    expect(sha256File(vault.path)).toBe(hash);
  });

  it('scans every record with --scan-anyway, and ends "nothing opened" (exit 4)', async () => {
    const vault = await customVault(OLD);
    const hash = sha256File(vault.path);
    const result = await rotate(vault, 'tiny', '--scan-anyway');
    expect(result.code, result.stderr).toBe(4);
    expect(rotatingEvents(result.stdout).length).toBeGreaterThan(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      type: 'summary',
      status: 'nothing-opened',
      scanned: RECORDS,
      rotated: 0,
    });
    expect(sha256File(vault.path)).toBe(hash);
  });
});
