/**
 * A password typed where an option expects a variable name, a file or a
 * setting (`--old-password-env "$OLD_PW"`) is never printed back: not on
 * stderr, not in the --json error. The message says which option was wrong
 * and what it expects. Runs the built CLI as users do.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, makeTempDir, type TempDir } from '../support/fixtures.js';
import { buildCliForTest, jsonLines, runCli, type BuiltCli } from '../support/cli.js';

/** distinctive, and shaped like what people paste: one valid variable name, one not */
const TYPED_SECRET = 'Zq7-typed-Secret pass!';
const NAME_LIKE_SECRET = 'Zq7TypedSecretAsName';

let cli: BuiltCli;
let temp: TempDir;
let vault: string;

beforeAll(async () => {
  temp = makeTempDir('vsa-cli-no-echo-');
  vault = copyFixture('tiny200', temp.path);
  cli = await buildCliForTest('no-echo');
});
afterAll(() => {
  cli?.dispose();
  temp?.dispose();
});

const OTHER_SOURCES = ['--new-password-file', join('..', 'no-such-new-password-file')];

describe('option values that may be a password are never echoed', () => {
  it.each([
    [
      'rotate --old-password-env with the password',
      ['rotate', '--old-password-env', TYPED_SECRET, ...OTHER_SOURCES],
      2,
      /--old-password-env expects the NAME of an environment variable/,
    ],
    [
      'rotate --old-password-env with a password that looks like a name',
      ['rotate', '--old-password-env', NAME_LIKE_SECRET, ...OTHER_SOURCES],
      2,
      /the environment variable named by --old-password-env is not set/,
    ],
    [
      'rotate --new-password-env with the password',
      ['rotate', '--old-password-env', 'VSA_SET', '--new-password-env', TYPED_SECRET],
      2,
      /--new-password-env expects the NAME of an environment variable/,
    ],
    [
      'rotate --new-password-file with the password',
      ['rotate', '--old-password-env', 'VSA_SET', '--new-password-file', TYPED_SECRET],
      1,
      /cannot read the new password file given with --new-password-file: it does not exist\. The option expects the path of a file/,
    ],
    [
      'rotate --old-password-file with the password',
      ['rotate', '--old-password-file', NAME_LIKE_SECRET, '--new-password-env', 'VSA_SET'],
      1,
      /--old-password-file: it does not exist/,
    ],
    [
      'rotate: the same name twice',
      ['rotate', '--old-password-env', NAME_LIKE_SECRET, '--new-password-env', NAME_LIKE_SECRET],
      2,
      /--old-password-env and --new-password-env name the same variable/,
    ],
    [
      'verify --password-env with the password',
      ['verify', '--password-env', TYPED_SECRET],
      2,
      /--password-env expects the NAME/,
    ],
    [
      'verify --password-file with the password',
      ['verify', '--password-file', TYPED_SECRET],
      1,
      /--password-file: it does not exist/,
    ],
    [
      '--workers with the password',
      ['rotate', '--workers', TYPED_SECRET, '--old-password-env', 'VSA_SET'],
      2,
      /--workers must be a whole number from 1 to 256\./,
    ],
    [
      '--kdf with the password',
      ['verify', '--kdf', NAME_LIKE_SECRET, '--password-env', 'VSA_SET'],
      2,
      /--kdf must be one of auto, native, wasm\./,
    ],
    [
      '--driver with the password',
      ['rotate', '--driver', NAME_LIKE_SECRET, '--old-password-env', 'VSA_SET'],
      2,
      /--driver must be one of auto, better-sqlite3, sql\.js\./,
    ],
  ] as const)('%s', async (_name, [command, ...options], exitCode, says) => {
    const run = await runCli(cli.entry, [command, vault, ...options, '--json'], {
      env: { VSA_SET: 'set-password-0123456789' },
      cwd: temp.path,
    });
    expect(run.code, run.stderr).toBe(exitCode);
    expect(run.stderr).toMatch(says);
    // A command line that does not parse has no --json yet: nothing on stdout then.
    const error = jsonLines(run.stdout).at(-1);
    if (error !== undefined) {
      expect(error).toMatchObject({ type: 'error', exitCode });
      expect(String(error.message)).toMatch(says);
    } else {
      expect(run.stdout).toBe('');
    }
    for (const secret of [TYPED_SECRET, NAME_LIKE_SECRET, 'typed-Secret', 'TypedSecret']) {
      expect(run.stdout + run.stderr, `"${secret}" printed back`).not.toContain(secret);
    }
  });
});
