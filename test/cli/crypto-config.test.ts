/**
 * The built CLI on a vault the Go reference (vsref) made with key length 16
 * and salt size 24: --crypto with k and salt rotates it (verified by vsref),
 * and --require-* refuses a new password that breaks the vault's rules
 * before anything is written. Skipped, with the reason printed, without vsref.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { sha256File } from '../support/vault-builder.js';
import { expectVsrefVerifies, runVsref, vsrefPath, vsrefSkipReason } from '../support/vsref.js';
import {
  buildCliForTest,
  expectNoSecret,
  jsonLines,
  runCli,
  type BuiltCli,
} from '../support/cli.js';

if (!vsrefPath) console.warn(`[skip] CLI --crypto k/salt: ${vsrefSkipReason}`);

const OLD = 'Password-A-0123456789';
const NEW = 'New-Password-0123456789';
const NO_UPPER = 'new-password-0123456789';
const SPEC = 't=1,m=64,p=1,k=16,salt=24';

describe.skipIf(!vsrefPath)('CLI rotate with a non-default CryptoConfig and password rules', () => {
  let cli: BuiltCli;
  let temp: TempDir;
  let vault: string;

  beforeAll(async () => {
    cli = await buildCliForTest('crypto-config');
    temp = makeTempDir('vsa-cli-crypto-');
    vault = join(temp.path, 'vault.db');
    const made = await runVsref([
      'make-vault',
      '-db',
      vault,
      '-n',
      '40',
      '-config',
      SPEC,
      '-spec',
      `80%:${OLD},20%:Password-B-0123456789`,
      '-seed',
      'cli-crypto',
    ]);
    expect(made.code, made.stderr).toBe(0);
    writeFileSync(join(temp.path, 'old.txt'), OLD);
  });
  afterAll(() => {
    temp?.dispose();
    cli?.dispose();
  });

  const rotate = async (newPassword: string, extra: string[]) => {
    writeFileSync(join(temp.path, 'new.txt'), newPassword);
    const result = await runCli(
      cli.entry,
      [
        'rotate',
        vault,
        '--old-password-file',
        'old.txt',
        '--new-password-file',
        'new.txt',
        '--json',
        '--no-backup',
        ...extra,
      ],
      { cwd: temp.path },
    );
    expect(expectNoSecret(result, [OLD, NEW, NO_UPPER])).toEqual([]);
    return result;
  };

  it('refuses a new password without the required upper-case letter, file unchanged', async () => {
    const before = sha256File(vault);
    const result = await rotate(NO_UPPER, ['--crypto', SPEC, '--require-upper', '--require-digit']);
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/no upper-case letter \(A-Z\)/);
    expect(sha256File(vault)).toBe(before);
  });

  it('with the default k/salt opens nothing (exit 4, names the parameters)', async () => {
    const before = sha256File(vault);
    const result = await rotate(NEW, ['--crypto', 't=1,m=64,p=1']);
    expect(result.code).toBe(4);
    expect(sha256File(vault)).toBe(before);
  });

  it('rotates with --crypto k=16,salt=24 and vsref verifies it', async () => {
    const result = await rotate(NEW, ['--crypto', SPEC, '--require-upper', '--require-digit']);
    expect(result.code, result.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(`${vault}.manifest.json`, 'utf8')) as {
      records: Record<string, { password: string }>;
    };
    const expected = Object.values(manifest.records).filter((r) => r.password === OLD).length;
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: expected,
    });
    await expectVsrefVerifies(vault, {
      config: SPEC,
      expect: `${OLD}=>${NEW}`,
      softDeleted: 'rotated',
    });
  });
});
