/**
 * The built CLI on a mixed v1/v2 vault given the wrong Argon2id settings: v1
 * records open whatever the settings, so without the v2 check the rotation
 * would "complete" with every v2 record skipped. It must refuse up front,
 * leave the file byte-identical, and name the preset when one opens.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../src/engine/argon2-config.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { buildVault, recordMix, sha256File } from '../support/vault-builder.js';
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
    const right = await run(['rotate', vault.path, '--crypto', 'tiny', '--json', ...passwords()]);
    expect(right.code, right.stderr).toBe(0);
    expect(jsonLines(right.stdout).at(-1)).toMatchObject({ status: 'completed', rotated: 50 });
  });

  it('names the preset the vault uses: "run again with --crypto lightweight"', async () => {
    const vault = await buildVault(join(temp.path, 'light.db'), {
      config: ARGON2_PRESETS.lightweight,
      records: [{ password: OLD }, { password: OLD }, { password: OLD, version: 'v1' }],
    });
    const hash = sha256File(vault.path);
    const result = await run(['rotate', vault.path, '--crypto', 'tiny', '--json', ...passwords()]);
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
