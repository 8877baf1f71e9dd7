/** The command line parser: typed invocations, and usage errors that never echo a value. */
import { describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { parseCommandLine, type Invocation } from '../../src/cli/args.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { parseCryptoSpec } from '../../src/cli/crypto-spec.js';
import { resumeArguments } from '../../src/cli/resume-command.js';
import { usageError } from './support/usage-error.js';

function rotateArgs(argv: string[]) {
  const invocation: Invocation = parseCommandLine(['rotate', 'vault.db', ...argv]);
  if (invocation.command !== 'rotate') throw new Error('not rotate');
  return invocation.args;
}

describe('parseCommandLine', () => {
  it('reads every rotate option', () => {
    const args = rotateArgs([
      '--table',
      'secrets',
      '--crypto',
      'tiny',
      '--new-crypto',
      't=2,m=1024,p=2',
      '--skip-soft-deleted',
      '--backup',
      'b.db',
      '--workers',
      '3',
      '--resume',
      '--json',
      '--kdf',
      'wasm',
      '--driver',
      'sql.js',
      '--checkpoint-dir',
      'cp',
      '--min-password-bytes',
      '20',
      '--old-password-env',
      'OLD',
      '--new-password-file',
      'new.txt',
    ]);
    expect(args).toEqual({
      vaultPath: 'vault.db',
      server: null,
      dbPassword: { source: { kind: 'prompt' } },
      table: 'secrets',
      crypto: { spec: 'tiny', config: ARGON2_PRESETS.tiny },
      newCrypto: {
        spec: 't=2,m=1024,p=2',
        config: { iterations: 2, memoryKiB: 1024, parallelism: 2 },
      },
      skipSoftDeleted: true,
      dryRun: false,
      backup: { kind: 'path', path: 'b.db' },
      workers: 3,
      resume: true,
      restart: false,
      allowTriggers: false,
      skipConfigCheck: false,
      scanAnyway: false,
      json: true,
      kdf: 'wasm',
      driver: 'sql.js',
      checkpointDir: 'cp',
      minPasswordBytes: 20,
      passwordRules: {
        requireUpper: false,
        requireLower: false,
        requireDigit: false,
        requireSymbol: false,
      },
      oldPassword: { kind: 'env', variable: 'OLD' },
      newPassword: { kind: 'file', path: 'new.txt' },
      distributed: null,
    });
  });

  it('has defaults: prompt for passwords, default backup, auto backends', () => {
    expect(rotateArgs([])).toMatchObject({
      crypto: undefined,
      backup: { kind: 'default' },
      kdf: 'auto',
      driver: 'auto',
      oldPassword: { kind: 'prompt' },
      newPassword: { kind: 'prompt' },
    });
    expect(rotateArgs(['--no-backup']).backup).toEqual({ kind: 'none' });
  });

  it('answers --help per command, anywhere on the line, before other checks', () => {
    expect(parseCommandLine(['rotate', '--help'])).toEqual({
      command: 'help',
      topic: 'rotate',
      asked: true,
    });
    expect(parseCommandLine(['verify', 'x.db', '--bogus', '-h'])).toMatchObject({
      topic: 'verify',
    });
    expect(parseCommandLine(['help', 'info'])).toMatchObject({ topic: 'info' });
    expect(parseCommandLine([])).toEqual({ command: 'help', topic: null, asked: false });
    expect(parseCommandLine(['--version'])).toEqual({ command: 'version' });
  });

  it('reads verify and info options', () => {
    expect(
      parseCommandLine([
        'verify',
        'v.db',
        '--sample',
        '25',
        '--password-file',
        'pw',
        '--crypto',
        'high',
      ]),
    ).toMatchObject({
      command: 'verify',
      args: {
        sample: 25,
        password: { kind: 'file', path: 'pw' },
        crypto: { config: ARGON2_PRESETS.high },
      },
    });
    expect(parseCommandLine(['info', 'v.db', '--json'])).toEqual({
      command: 'info',
      args: {
        vaultPath: 'v.db',
        server: null,
        dbPassword: { source: { kind: 'prompt' } },
        json: true,
        driver: 'auto',
      },
    });
  });

  it.each([
    ['--old-password=hunter2-secret-value', '--old-password'],
    ['--new-password', '--new-password'],
    ['--password=hunter2-secret-value', '--password'],
    ['--pw=hunter2-secret-value', '--pw'],
  ])('refuses a password option (%s) without repeating its value', (option, name) => {
    const error = usageError(['rotate', 'v.db', option, 'hunter2-secret-value']);
    expect(error.message).toContain(name);
    expect(error.message).toContain('never accepted as command-line values');
    expect(error.message).not.toContain('hunter2');
  });

  it('does not print extra arguments (one may be a password)', () => {
    const error = usageError(['verify', 'v.db', 'hunter2-secret-value']);
    expect(error.message).toContain('takes one vault file');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    [['rotate', 'v.db', '--bogus=1'], /unknown option --bogus for "rotate"/],
    [['info', 'v.db', '--table', 'x'], /unknown option --table for "info"/],
    [['rotate'], /needs the path of a vault file/],
    [['rotate', 'v.db', '--table'], /--table/],
    [['rotate', 'v.db', '--workers', 'many'], /--workers must be a whole number from 1 to 256\./],
    [['rotate', 'v.db', '--kdf', 'gpu'], /--kdf must be one of auto, native, wasm/],
    [['rotate', 'v.db', '--driver', 'pg'], /--driver must be one of/],
    [['rotate', 'v.db', '--dry-run', '--backup', 'b.db'], /--dry-run writes nothing/],
    [['rotate', 'v.db', '--old-password-env', 'A', '--old-password-file', 'f'], /not both/],
    [['rotate', 'v.db', '--table', ' '], /--table needs a value/],
    [['verify', 'v.db', '--sample', '0'], /--sample must be a whole number/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--json', 'info'], /unknown option --json before the command/],
  ])('usage error for %j', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('tags usage errors with their command (for the --help pointer)', () => {
    expect(usageError(['rotate', 'v.db', '--nope']).command).toBe('rotate');
    expect(usageError(['nope']).command).toBeNull();
  });
});

describe('a password from stdin ("-")', () => {
  it('a file option given "-" reads stdin; the resume command repeats it as "-"', () => {
    const args = rotateArgs(['--old-password-file', '-', '--new-password-env', 'NEW']);
    expect(args.oldPassword).toEqual({ kind: 'stdin' });
    const argv = resumeArguments(args, 'vault');
    expect(
      argv.slice(argv.indexOf('--old-password-file'), argv.indexOf('--old-password-file') + 2),
    ).toEqual(['--old-password-file', '-']);
  });

  it.each([
    [['rotate', 'v.db', '--old-password-file', '-', '--new-password-file', '-']],
    [['verify', 'postgres://u@db.example/app', '--db-password-file', '-', '--password-file', '-']],
  ])('refuses two passwords from stdin: %j', (argv) => {
    expect(usageError(argv).message).toMatch(/only one password can come from stdin/);
  });
});

describe('new-password character rules', () => {
  it('reads --require-upper/-lower/-digit/-symbol, each on its own', () => {
    expect(rotateArgs(['--require-upper', '--require-symbol']).passwordRules).toEqual({
      requireUpper: true,
      requireLower: false,
      requireDigit: false,
      requireSymbol: true,
    });
    expect(
      rotateArgs(['--require-lower', '--require-digit', '--min-password-bytes', '24']),
    ).toMatchObject({
      minPasswordBytes: 24,
      passwordRules: { requireUpper: false, requireLower: true, requireDigit: true },
    });
  });

  it('are flags without a value, and only for rotate', () => {
    expect(usageError(['rotate', 'v.db', '--require-upper=yes']).message).toMatch(
      /--require-upper/,
    );
    expect(usageError(['verify', 'v.db', '--require-digit']).message).toMatch(
      /unknown option --require-digit for "verify"/,
    );
  });

  it('the resume command repeats them', () => {
    const args = rotateArgs([
      '--require-upper',
      '--require-digit',
      '--crypto',
      't=1,m=64,p=1,k=16',
    ]);
    const argv = resumeArguments(args, 'vault');
    expect(argv).toEqual(expect.arrayContaining(['--require-upper', '--require-digit']));
    expect(argv).not.toContain('--require-lower');
    expect(argv.slice(argv.indexOf('--crypto'), argv.indexOf('--crypto') + 2)).toEqual([
      '--crypto',
      't=1,m=64,p=1,k=16',
    ]);
  });
});

describe('--crypto with key length and salt size', () => {
  it('reads k and salt next to t, m, p (any order)', () => {
    expect(rotateArgs(['--crypto', 't=1,m=64,p=1,k=16,salt=24']).crypto).toEqual({
      spec: 't=1,m=64,p=1,k=16,salt=24',
      config: { iterations: 1, memoryKiB: 64, parallelism: 1, keyLength: 16, saltLength: 24 },
    });
    expect(parseCryptoSpec('salt=32,k=24,p=4,t=3,m=65536', '--new-crypto')).toEqual({
      ...ARGON2_PRESETS.default,
      keyLength: 24,
      saltLength: 32,
    });
    // Presets are still accepted (k=32, salt=16 implied).
    expect(rotateArgs(['--crypto', 'lightweight']).crypto?.config).toEqual(
      ARGON2_PRESETS.lightweight,
    );
  });

  it.each([
    ['t=1,m=64,p=1,k=20', /^--crypto: .*key length \(k\) must be 16, 24 or 32 bytes/],
    ['t=1,m=64,p=1,salt=4', /^--crypto: .*salt size .* from 8 to 1024, got 4/],
    ['t=1,m=64,p=1,salt=100000', /^--crypto: .*salt size/],
    ['t=1,m=64,p=1,k=16,k=32', /^--crypto: .*not an Argon2id config.*k=KEY_BYTES/],
    ['t=1,m=64,p=1,keylen=16', /^--crypto: .*not an Argon2id config/],
  ])('rejects %s as a usage error with a clear message', (spec, message) => {
    const error = usageError(['rotate', 'v.db', '--crypto', spec]);
    expect(error.command).toBe('rotate');
    expect(error.message).toMatch(message);
  });
});

describe('parseCryptoSpec', () => {
  it('reads presets and t,m,p in any order', () => {
    expect(parseCryptoSpec('default', '--crypto')).toEqual(ARGON2_PRESETS.default);
    expect(parseCryptoSpec('LightWeight', '--crypto')).toEqual(ARGON2_PRESETS.lightweight);
    expect(parseCryptoSpec('p=4,t=3,m=65536', '--crypto')).toEqual(ARGON2_PRESETS.default);
  });

  it.each([
    ['fast', /not an Argon2id config/],
    ['t=3,m=65536', /lacks one of t, m, p/],
    ['t=3,t=4,m=65536,p=4', /not an Argon2id config/],
    ['t=0,m=64,p=1', /iterations/],
    ['t=1,m=8,p=4', /at least 8 x parallelism/],
    ['t=1,m=-5,p=1', /not an Argon2id config/],
  ])('rejects %s as a usage error naming the option', (spec, message) => {
    let error: unknown;
    try {
      parseCryptoSpec(spec, '--new-crypto');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--new-crypto: /);
    expect((error as Error).message).toMatch(message);
  });
});
