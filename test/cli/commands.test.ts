/**
 * The built vaultstore-admin run as a child process on copies of the tiny200
 * fixture: every command, its output formats and exit codes. Records are
 * checked with the engine's codec against the fixture manifest, and every run
 * is checked for leaked passwords.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  copyFixture,
  expiredNow,
  fixturesDir,
  makeTempDir,
  readManifest,
  type TempDir,
} from '../support/fixtures.js';
import { runVsref, vsrefPath } from '../support/vsref.js';
import {
  buildCliForTest,
  expectNoSecret,
  jsonLines,
  runCli,
  startCli,
  waitForOutput,
  type BuiltCli,
  type CliRun,
  type CliOptions,
} from '../support/cli.js';
import { FIXTURE_PASSWORD_A, FIXTURE_PASSWORD_B } from '../support/passwords.js';
import { sha256File } from '../support/vault-builder.js';
import { checkRotation, readValues, recordsUnder } from './support/vault-check.js';

const OLD = FIXTURE_PASSWORD_A;
const NEW = 'cli-new-password-0123456789';
const WRONG = 'wrong-password-0123456789';
const SECRETS = [OLD, NEW, WRONG, FIXTURE_PASSWORD_B];
const manifest = readManifest('tiny200');
const rotatedByDefault = recordsUnder(manifest, OLD);
const v1Count = Object.values(manifest.records).filter((record) => record.version === 'v1').length;

let cli: BuiltCli;
let temp: TempDir;
let vault: string;
let oldFile: string;
let newFile: string;

beforeAll(async () => {
  cli = await buildCliForTest('commands');
});
afterAll(() => cli?.dispose());

beforeEach(() => {
  temp = makeTempDir('vsa-cli-');
  vault = copyFixture('tiny200', temp.path);
  oldFile = join(temp.path, 'old.txt');
  newFile = join(temp.path, 'new.txt');
  // Owner-only, as password files should be (looser ones get a warning on stderr).
  writeFileSync(oldFile, `${OLD}\n`, { mode: 0o600 });
  writeFileSync(newFile, NEW, { mode: 0o600 });
});
afterEach(() => temp.dispose());

/** Runs the CLI and fails the test if any password shows up in its output. */
async function run(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const result = await runCli(cli.entry, args, { cwd: temp.path, ...options });
  expect(expectNoSecret(result, SECRETS), `${result.stdout}\n${result.stderr}`).toEqual([]);
  return result;
}

const fileSources = () => ['--old-password-file', oldFile, '--new-password-file', newFile];

describe('help and version', () => {
  it.each(['info', 'rotate', 'verify'])(
    '%s --help prints its usage and exits 0',
    async (command) => {
      const result = await run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        `Usage: vaultstore-admin ${command} <vault.db | connection string>`,
      );
    },
  );

  it('--help lists the commands and the exit codes; --version prints the version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/info[\s\S]*rotate[\s\S]*verify/);
    expect(help.stdout).toMatch(/\n {2}3 +cancelled/);
    expect(help.stdout).toMatch(/\n {2}6 +incomplete/);
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^vaultstore-admin \d+\.\d+\.\d+/);
  });
});

describe('info', () => {
  it('prints the table counts of the manifest', async () => {
    const result = await run(['info', vault]);
    expect(result.code).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.startsWith('vault '));
    expect(row?.split(/\s+/)).toEqual([
      'vault',
      String(manifest.n),
      String(manifest.soft_deleted),
      String(expiredNow(manifest)),
      String(manifest.n - v1Count),
      String(v1Count),
      '0',
    ]);
  });

  it('--json gives the same counts as one JSON object', async () => {
    const result = await run(['info', vault, '--json']);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout) as { tables: Record<string, unknown>[] };
    expect(info.tables).toEqual([
      {
        name: 'vault',
        records: manifest.n,
        softDeleted: manifest.soft_deleted,
        expired: expiredNow(manifest),
        v2: manifest.n - v1Count,
        v1: v1Count,
        other: 0,
      },
    ]);
  });
});

describe('rotate', () => {
  it('--json prints progress lines and a summary, rotates every record of the old password, and backs up', async () => {
    const before = readValues(vault);
    const result = await run(['rotate', vault, '--crypto', 'tiny', '--json', ...fileSources()]);
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.filter((line) => line.type === 'progress').length).toBeGreaterThan(0);
    // One pre-flight (the rotation's own check), told before the pass's progress.
    expect(lines.filter((line) => line.type === 'preflight')).toHaveLength(1);
    expect(lines.findIndex((line) => line.type === 'preflight')).toBe(0);
    const summary = lines.at(-1)!;
    // Each v2 record tested once, each record written once, and the two canaries: the pre-flight's
    // sample is the pass's work, not extra.
    const v2Count = manifest.n - v1Count;
    expect(Number(summary.derivations) + Number(summary.checkDerivations)).toBe(
      v2Count + rotatedByDefault + 2,
    );
    expect(summary.derivationsReused).toBeGreaterThan(0);
    expect(summary).toMatchObject({
      type: 'summary',
      status: 'completed',
      table: 'vault',
      dryRun: false,
      scanned: manifest.n,
      rotated: rotatedByDefault,
      skipped: manifest.n - rotatedByDefault,
      failed: 0,
      checkpoint: null,
    });
    expect(typeof summary.seconds).toBe('number');
    expect(await checkRotation(vault, manifest, { from: OLD, to: NEW })).toEqual([]);

    const backup = summary.backup as string;
    expect(existsSync(backup)).toBe(true);
    expect(readValues(backup)).toEqual(before);
  });

  it.skipIf(!vsrefPath)('leaves a vault the reference implementation verifies', async () => {
    const result = await run(['rotate', vault, '--crypto', 'tiny', '--json', ...fileSources()]);
    expect(result.code, result.stderr).toBe(0);
    const verify = await runVsref([
      'verify',
      '-db',
      vault,
      '-manifest',
      join(fixturesDir, 'tiny200.db.manifest.json'),
      '-table',
      'vault',
      '-config',
      'tiny',
      '-expect',
      `${OLD}=>${NEW}`,
      '-softdeleted',
      'rotated',
    ]);
    expect(verify.stdout + verify.stderr).toContain('verify: PASS');
    expect(verify.code).toBe(0);
  });
  // Without vsref the check above is skipped; test/support/vsref.ts prints why.

  it('reads passwords from environment variables and explains the result in text', async () => {
    const result = await run(
      [
        'rotate',
        vault,
        '--crypto',
        'tiny',
        '--old-password-env',
        'VSA_OLD',
        '--new-password-env',
        'VSA_NEW',
      ],
      { env: { VSA_OLD: OLD, VSA_NEW: NEW } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Rotated ${rotatedByDefault} of ${manifest.n} records of table "vault"`,
    );
    expect(result.stdout).toMatch(/Backup of the vault before the rotation: .*\.db/);
    expect(result.stdout).toContain("The Go library's own rotation skips them");
    expect(result.stderr).toContain('Pre-flight:');
    expect(await checkRotation(vault, manifest, { from: OLD, to: NEW })).toEqual([]);
  });

  it('--skip-soft-deleted leaves soft-deleted records under the old password, as the Go library does', async () => {
    const result = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--skip-soft-deleted',
      '--json',
      ...fileSources(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const expected = recordsUnder(manifest, OLD, { skipSoftDeleted: true });
    expect(expected).toBeLessThan(rotatedByDefault);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: expected,
    });
    expect(
      await checkRotation(vault, manifest, { from: OLD, to: NEW, skipSoftDeleted: true }),
    ).toEqual([]);
  });

  it('--dry-run counts what would rotate and leaves the file and its folder as they were', async () => {
    const hash = sha256File(vault);
    const files = readdirSync(temp.path).sort();
    const result = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--dry-run',
      '--json',
      ...fileSources(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      status: 'dry-run',
      dryRun: true,
      rotated: rotatedByDefault,
      backup: null,
    });
    expect(sha256File(vault)).toBe(hash);
    expect(readdirSync(temp.path).sort()).toEqual(files);

    const text = await run(['rotate', vault, '--crypto', 'tiny', '--dry-run', ...fileSources()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `${rotatedByDefault} of ${manifest.n} records would be rotated. Nothing was written.`,
    );
    expect(sha256File(vault)).toBe(hash);
  });

  it('finishes the job when the reader of its output goes away (EPIPE)', async () => {
    const { child } = startCli(
      cli.entry,
      ['rotate', vault, '--crypto', 'tiny', '--json', ...fileSources()],
      {
        cwd: temp.path,
      },
    );
    child.stdin?.end();
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    await waitForOutput(child.stdout!, (text) => text.includes('\n'));
    child.stdout!.destroy();
    expect(await exited).toBe(0);
    expect(await checkRotation(vault, manifest, { from: OLD, to: NEW })).toEqual([]);
  });

  it('--backup PATH writes the backup there', async () => {
    const backup = join(temp.path, 'my-backup.db');
    const result = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--backup',
      backup,
      '--json',
      ...fileSources(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({ backup });
    expect(existsSync(backup)).toBe(true);
  });
});

describe('exit code 4: the old password opened nothing', () => {
  it('refuses before the scan, says why, writes nothing, and reports NOTHING_OPENED in JSON', async () => {
    writeFileSync(oldFile, WRONG, { mode: 0o600 });
    const hash = sha256File(vault);
    const result = await run(['rotate', vault, '--crypto', 'tiny', '--json', ...fileSources()]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: the old password opened none of the');
    expect(result.stderr).toContain('the old password is wrong');
    const lines = jsonLines(result.stdout);
    // nothing opens at all: refused from the sample, no record scanned
    expect(lines[0]).toMatchObject({
      type: 'preflight',
      canRotate: false,
      refusal: 'nothing-opened',
      v2: { opened: 0 },
    });
    expect(lines.filter((line) => line.type === 'progress')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'NOTHING_OPENED', exitCode: 4 });
    expect(sha256File(vault)).toBe(hash);
    expect(readdirSync(temp.path).filter((name) => name.includes('backup'))).toEqual([]);

    // --scan-anyway tests every record, and ends "nothing opened" as before
    const scanned = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--scan-anyway',
      '--json',
      ...fileSources(),
    ]);
    expect(scanned.code).toBe(4);
    expect(scanned.stderr).toContain('error: the old password opened NONE of the');
    expect(scanned.stderr).toContain('probably wrong');
    expect(jsonLines(scanned.stdout).at(-1)).toMatchObject({
      status: 'nothing-opened',
      rotated: 0,
      scanned: manifest.n,
    });
    expect(sha256File(vault)).toBe(hash);
  });

  it('names the Argon2id parameters used and --crypto', async () => {
    writeFileSync(oldFile, WRONG);
    const result = await run(['rotate', vault, '--crypto', 't=1,m=128,p=1', ...fileSources()]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('t=1, m=128 KiB, p=1');
    expect(result.stderr).toContain('--crypto');
    // refused: no "scanning anyway" warning (text output prints the pre-flight line first)
    expect(result.stderr).toMatch(/^Pre-flight: the old password opened 0 of/);
    expect(result.stderr).not.toContain('Press Ctrl-C');
  });

  it('adds the Unicode normalisation hint when the password has two spellings', async () => {
    writeFileSync(oldFile, 'pa\u0301ssword-0123456789'); // NFD: "a" + combining acute
    const result = await run(['rotate', vault, '--crypto', 'tiny', ...fileSources()]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('decomposed (NFD)');
  });

  it('says first that the vault looks already rotated when the same rotation runs twice', async () => {
    const args = ['rotate', vault, '--crypto', 'tiny', '--no-backup', '--json', ...fileSources()];
    const first = await run(args);
    expect(first.code, first.stderr).toBe(0);
    const hash = sha256File(vault);

    const again = await run(args);
    expect(again.code).toBe(4);
    // refused from the sample: no scan, no summary, an error line naming it
    const lines = jsonLines(again.stdout);
    expect(lines.filter((line) => line.type === 'summary')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ type: 'error', code: 'ALREADY_ROTATED', exitCode: 4 });
    const sample = (lines[0] as { newPasswordSample?: { sampled: number; opened: number } })
      .newPasswordSample;
    expect(sample?.opened).toBeGreaterThan(0);
    const [headline, check] = again.stderr.split('\n');
    expect(headline).toBe(
      `${sample?.opened} of ${sample?.sampled} sampled records already open with the new password: ` +
        'this vault looks already rotated (a previous run probably completed).',
    );
    expect(check).toContain(
      `Check with: vaultstore-admin verify ${vault} --table ${manifest.table} --crypto tiny --password-file ${newFile}`,
    );
    // the old-password hint stays, second
    expect(again.stderr).toContain('old password is wrong');
    expect(sha256File(vault)).toBe(hash);
  });
});

describe('usage errors exit 2 and point to --help', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown option', ['rotate', 'v.db', '--bogus'], /unknown option --bogus/],
    [
      'a password as an option value',
      ['rotate', 'v.db', `--old-password=${OLD}`],
      /never accepted as command-line values/,
    ],
    [
      'a password as a separate value',
      ['rotate', 'v.db', '--new-password', NEW],
      /never accepted as command-line values/,
    ],
    ['a password where the vault path goes', ['verify', 'v.db', OLD], /takes one vault file/],
    ['a bad --crypto', ['rotate', 'v.db', '--crypto', 't=1,m=64'], /--crypto/],
    ['--workers 0', ['rotate', 'v.db', '--workers', '0'], /--workers must be a whole number/],
    ['no command', [], /Usage:/],
    ['an unknown command', ['rotat', 'v.db'], /unknown command "rotat"/],
    [
      '--backup with --no-backup',
      ['rotate', 'v.db', '--backup', 'b.db', '--no-backup'],
      /give one of --backup PATH, --backup-table NAME or --no-backup/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    if (args.length > 0) expect(result.stderr).toContain('--help');
  });

  it('a missing password source when stdin is not a terminal', async () => {
    const result = await run(['rotate', vault, '--crypto', 'tiny', '--old-password-file', oldFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no new password given, and stdin is not a terminal');
  });

  it('an unset password variable: says which option, never repeats the name (it may be the password)', async () => {
    const result = await run(['verify', vault, '--password-env', 'VSA_NOT_SET']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: the environment variable named by --password-env is not set (or not exported).',
    );
    expect(result.stdout + result.stderr).not.toContain('VSA_NOT_SET');
  });
});

describe('errors exit 1 with the engine message', () => {
  it('a vault file that does not exist', async () => {
    const missing = join(temp.path, 'missing.db');
    const result = await run(['rotate', missing, '--crypto', 'tiny', ...fileSources()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*missing\.db.*does not exist/m);
  });

  it('a new password that fails the policy, and equal passwords', async () => {
    writeFileSync(newFile, 'short');
    const short = await run(['rotate', vault, '--crypto', 'tiny', ...fileSources()]);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('error: The new password is 5 bytes long');
    writeFileSync(newFile, OLD);
    const same = await run(['rotate', vault, '--crypto', 'tiny', '--json', ...fileSources()]);
    expect(same.code).toBe(1);
    expect(jsonLines(same.stdout).at(-1)).toMatchObject({
      type: 'error',
      code: 'PASSWORD_SAME',
      exitCode: 1,
    });
  });
});

describe('verify', () => {
  it('counts the records that open with a password', async () => {
    const rotate = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--no-backup',
      ...fileSources(),
    ]);
    expect(rotate.code, rotate.stderr).toBe(0);

    const result = await run([
      'verify',
      vault,
      '--crypto',
      'tiny',
      '--json',
      '--password-file',
      newFile,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      type: 'summary',
      command: 'verify',
      status: 'completed',
      checked: manifest.n,
      opened: rotatedByDefault,
      notOpened: manifest.n - rotatedByDefault,
      malformed: 0,
    });

    const text = await run(['verify', vault, '--crypto', 'tiny', '--password-env', 'PW'], {
      env: { PW: NEW },
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${rotatedByDefault} open with this password`);

    const sample = await run([
      'verify',
      vault,
      '--crypto',
      'tiny',
      '--sample',
      '20',
      '--json',
      '--password-file',
      newFile,
    ]);
    expect(jsonLines(sample.stdout).at(-1)).toMatchObject({ checked: 20 });

    const old = await run(['verify', vault, '--crypto', 'tiny', '--password-file', oldFile]);
    expect(old.code).toBe(4);
    expect(old.stderr).toContain('the password opened NONE');
  });
  it('--fail-if-any-open exits 7 while any record opens with the old password, 0 once none does', async () => {
    const before = await run([
      'verify',
      vault,
      '--crypto',
      'tiny',
      '--fail-if-any-open',
      '--json',
      '--password-file',
      oldFile,
    ]);
    expect(before.code, before.stderr).toBe(7);
    const lines = jsonLines(before.stdout);
    expect(lines.at(-1)).toMatchObject({
      type: 'summary',
      schemaVersion: 1,
      command: 'verify',
      status: 'still-opens',
      failIfAnyOpen: true,
      sampled: false,
      checked: manifest.n,
      opened: rotatedByDefault,
    });
    // verify's own progress events: its phases and counters, not a rotation's.
    const progress = lines.filter((line) => line.type === 'progress');
    expect(progress.at(-1)).toMatchObject({ phase: 'done', checked: manifest.n });
    expect(progress.some((line) => 'rotated' in line)).toBe(false);
    expect(before.stderr).toContain(
      `error: ${rotatedByDefault} of all ${manifest.n} records of table "vault" still open with this password`,
    );

    const rotate = await run([
      'rotate',
      vault,
      '--crypto',
      'tiny',
      '--no-backup',
      ...fileSources(),
    ]);
    expect(rotate.code, rotate.stderr).toBe(0);
    const after = await run([
      'verify',
      vault,
      '--crypto',
      'tiny',
      '--fail-if-any-open',
      '--password-file',
      oldFile,
    ]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain(
      `none of all ${manifest.n} records opens with this password, as expected`,
    );
  });
});

describe('a password piped on stdin ("-")', () => {
  it('rotate reads the old password from stdin and the new one from a file', async () => {
    const running = startCli(
      cli.entry,
      [
        'rotate',
        vault,
        '--crypto',
        'tiny',
        '--no-backup',
        '--json',
        '--old-password-file',
        '-',
        '--new-password-file',
        newFile,
      ],
      { cwd: temp.path },
    );
    running.child.stdin!.end(`${OLD}\n`);
    const result = await running.exited;
    expect(expectNoSecret(result, SECRETS)).toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout).at(-1)).toMatchObject({
      status: 'completed',
      rotated: rotatedByDefault,
    });
    expect(await checkRotation(vault, manifest, { from: OLD, to: NEW })).toEqual([]);
  });

  it('refuses two passwords from stdin, and empty input, before reading anything', async () => {
    const hash = sha256File(vault);
    const both = await run([
      'rotate',
      vault,
      '--old-password-file',
      '-',
      '--new-password-file',
      '-',
      '--json',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one password can come from stdin');
    expect(jsonLines(both.stdout).at(-1)).toMatchObject({ type: 'error', code: 'USAGE' });
    const empty = await run(['verify', vault, '--crypto', 'tiny', '--password-file', '-']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--password-file -: stdin was empty');
    expect(sha256File(vault)).toBe(hash);
  });
});

describe('--json usage errors', () => {
  it('are one JSON error line on stdout as well', async () => {
    const result = await run(['rotate', vault, '--tabel', 'vault', '--json']);
    expect(result.code).toBe(2);
    expect(jsonLines(result.stdout)).toEqual([
      {
        type: 'error',
        schemaVersion: 1,
        code: 'USAGE',
        message: 'unknown option --tabel for "rotate". Did you mean --table?',
        exitCode: 2,
      },
    ]);
  });
});
