/**
 * The command line of a distributed rotation (issue 18): `rotate --queue`,
 * `worker`, `status`, `cancel` parsed into typed arguments; a vault file, a
 * Redis URL holding a password and options that mean nothing across machines
 * refused with a usage error that says what to do and never repeats a secret.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, type Invocation } from '../../src/cli/args.js';
import { runCli } from '../../src/cli/cli.js';
import { UsageError } from '../../src/cli/cli-error.js';
import { describeFailure, exitCodeOf, ResumableFailure } from '../../src/cli/engine-errors.js';
import { EngineError } from '../../src/engine/index.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { resumeCommand } from '../../src/cli/resume-command.js';
import { collectedIo } from './support/collected-io.js';
import { usageError } from './support/usage-error.js';

const PG = 'postgres://admin@db.example:5432/app';
const SECRET = 'Redis-Secret-5d1f0a9c77';

function parsed<C extends Invocation['command']>(
  command: C,
  argv: string[],
): Extract<Invocation, { command: C }> {
  const invocation = parseCommandLine([command, ...argv]);
  if (invocation.command !== command) throw new Error(`not ${command}`);
  return invocation as Extract<Invocation, { command: C }>;
}

/** runCli in this process with collected output (nothing reaches a terminal). */
async function runInProcess(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = collectedIo();
  const code = await runCli(argv, {
    io,
    signals: { on: () => undefined, off: () => undefined },
    exit: () => {
      throw new Error('no forced exit expected');
    },
  });
  return { code, out: out(), err: err() };
}

describe('worker, status and cancel', () => {
  it('worker reads every option', () => {
    const { args } = parsed('worker', [
      PG,
      '--table',
      'vault',
      '--queue',
      'rediss://redis.example:6380/2',
      '--queue-password-file',
      '/run/secrets/redis',
      '--queue-ca',
      'ca.pem',
      '--workers',
      '3',
      '--kdf',
      'wasm',
      '--ledger-schema',
      'rotation',
      '--server-timeout',
      '20',
      '--no-wait',
      '--json',
      '--old-password-env',
      'OLD',
      '--new-password-file',
      'new.txt',
      '--db-password-env',
      'DBPW',
    ]);
    expect(args).toMatchObject({
      vaultPath: PG,
      table: 'vault',
      ledgerSchema: 'rotation',
      serverTimeoutSeconds: 20,
      noWait: true,
      json: true,
      workers: 3,
      kdf: 'wasm',
      oldPassword: { kind: 'env', variable: 'OLD' },
      newPassword: { kind: 'file', path: 'new.txt' },
      dbPassword: { source: { kind: 'env', variable: 'DBPW' } },
      queue: {
        url: 'rediss://redis.example:6380/2',
        display: 'rediss://redis.example:6380/2',
        tls: true,
        password: { kind: 'file', path: '/run/secrets/redis' },
        caFile: 'ca.pem',
      },
    });
    expect(args.server?.dialect).toBe('postgres');
  });

  it('status and cancel take the table, the ledger schema and --json', () => {
    for (const command of ['status', 'cancel'] as const) {
      const { args } = parsed(command, [
        'mysql://root@localhost/app',
        '--table',
        'vault',
        '--json',
      ]);
      expect(args).toMatchObject({ table: 'vault', json: true, ledgerSchema: undefined });
      expect(args.server?.dialect).toBe('mysql');
    }
  });

  it('each needs --table (the ledger is never guessed); worker needs --queue', () => {
    for (const command of ['worker', 'status', 'cancel']) {
      const queue = command === 'worker' ? ['--queue', 'redis://localhost'] : [];
      const error = usageError([command, PG, ...queue]);
      expect(error.message).toMatch(/needs --table NAME/);
      expect(error.command).toBe(command);
    }
    expect(usageError(['worker', PG, '--table', 'vault']).message).toMatch(
      /needs --queue URL: the Redis the coordinator \(rotate --queue\) uses/,
    );
  });

  it('status and cancel take no queue and no vault password (they read the ledger only)', () => {
    for (const command of ['status', 'cancel']) {
      for (const option of ['--queue', '--old-password-file', '--workers']) {
        expect(usageError([command, PG, '--table', 'vault', option, 'x']).message).toMatch(
          new RegExp(`unknown option ${option} for "${command}"`),
        );
      }
    }
  });
});

describe('a vault file is not distributed', () => {
  it.each([
    ['rotate', ['--queue', 'redis://localhost:6379'], /drop --queue/],
    ['worker', ['--queue', 'redis://localhost:6379'], /on the machine that holds the file/],
    ['status', [], /info "app.db" shows an unfinished rotation/],
    ['cancel', [], /info "app.db" shows an unfinished rotation/],
  ])('%s on a file: refused, saying one machine and what to run', (command, extra, instead) => {
    const error = usageError([command, 'app.db', '--table', 'vault', ...extra]);
    expect(error.message).toMatch(/a vault file \(SQLite\) is not distributed: only one machine/);
    expect(error.message).toMatch(instead);
    expect(error.exitCode).toBe(EXIT.usage);
  });

  it('the whole command exits 2 with the message and a pointer to --help', async () => {
    const run = await runInProcess([
      'worker',
      'app.db',
      '--table',
      'vault',
      '--queue',
      'redis://localhost',
    ]);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toMatch(/^error: worker: a vault file \(SQLite\) is not distributed/);
    expect(run.err).toContain('Run "vaultstore-admin worker --help" for the options.');
  });
});

describe('the Redis URL', () => {
  it('holding a password is refused without repeating it, naming the options to use', async () => {
    for (const url of [
      `redis://:${SECRET}@localhost:6379`,
      `redis://default:${SECRET}@localhost:6379/0`,
      `rediss://user:${SECRET}@redis.example`,
    ]) {
      for (const argv of [
        ['worker', PG, '--table', 'vault', '--queue', url],
        ['rotate', PG, '--table', 'vault', '--queue', url],
      ]) {
        const error = usageError(argv);
        expect(error.message).toMatch(
          /the Redis URL holds a password.*--queue-password-env VAR or --queue-password-file FILE/s,
        );
        expect(error.message).not.toContain(SECRET);
        const json = await runInProcess([...argv, '--json']);
        expect(json.code).toBe(EXIT.usage);
        expect(json.out + json.err).not.toContain(SECRET);
      }
    }
  });

  it('takes no parameters (ioredis would read ?password=), no other scheme, no path but a db number', () => {
    const cases: [string, RegExp][] = [
      [`redis://localhost:6379/0?password=${SECRET}`, /takes no parameters/],
      ['redis://localhost#x', /takes no parameters/],
      ['http://localhost:6379', /starts with redis:\/\/ or rediss:\/\//],
      ['redis://localhost/queue', /the Redis database number/],
      ['redis://', /cannot be read|names no host/],
      ['not a url', /cannot be read/],
    ];
    for (const [url, message] of cases) {
      const error = usageError(['worker', PG, '--table', 'vault', '--queue', url]);
      expect(error.message, url).toMatch(message);
      expect(error.message).not.toContain(SECRET);
    }
  });

  it('a password goes in clear (redis://) only to this machine; rediss:// anywhere', () => {
    const withPassword = (url: string): string[] => [
      'worker',
      PG,
      '--table',
      'vault',
      '--queue',
      url,
      '--queue-password-env',
      'REDIS_PW',
    ];
    expect(usageError(withPassword('redis://redis.example:6379')).message).toMatch(
      /redis:\/\/ sends the Redis password in clear to redis.example, another machine: use rediss:\/\//,
    );
    // A NAME starting with 127. is another machine.
    expect(() => parseCommandLine(withPassword('redis://127.db.example'))).toThrow(UsageError);
    for (const url of [
      'redis://localhost',
      'redis://127.0.0.1:6390/1',
      'redis://[::1]:6379',
      'rediss://redis.example',
    ]) {
      expect(parsed('worker', withPassword(url).slice(1)).args.queue.password).toEqual({
        kind: 'env',
        variable: 'REDIS_PW',
      });
    }
    // Without a password, plain redis:// to another host is the admin's call.
    expect(
      parsed('worker', [PG, '--table', 'vault', '--queue', 'redis://redis.example']).args.queue,
    ).toMatchObject({
      password: null,
      display: 'redis://redis.example:6379/0',
    });
  });

  const localWorker = ['worker', PG, '--table', 'vault', '--queue', 'redis://localhost'];

  it('--queue-ca is for rediss:// only', () => {
    expect(usageError([...localWorker, '--queue-ca', 'ca.pem']).message).toMatch(
      /--queue-ca names the CA of a Redis reached over TLS: use a rediss:\/\/ URL/,
    );
  });

  it('only one password from stdin, the Redis one included', () => {
    expect(
      usageError([...localWorker, '--queue-password-file', '-', '--old-password-file', '-'])
        .message,
    ).toMatch(/only one password can come from stdin/);
  });
});

describe('rotate --queue', () => {
  const base = [PG, '--table', 'vault', '--crypto', 'tiny'];

  it('reads the distributed options; without --queue the rotation stays on this machine', () => {
    const { args } = parsed('rotate', [
      ...base,
      '--queue',
      'redis://localhost:6390',
      '--no-local-worker',
      '--shards',
      '40',
      '--keep-ledger',
      '--ledger-schema',
      'ops',
      '--resume',
    ]);
    expect(args.resume).toBe(true);
    expect(args.distributed).toEqual({
      queue: {
        url: 'redis://localhost:6390',
        display: 'redis://localhost:6390/0',
        tls: false,
        password: null,
        caFile: undefined,
      },
      localWorker: false,
      shards: 40,
      keepLedger: true,
      ledgerSchema: 'ops',
    });
    expect(parsed('rotate', base).args.distributed).toBeNull();
  });

  it('needs --table (every worker names the same one)', () => {
    expect(usageError(['rotate', PG, '--queue', 'redis://localhost']).message).toMatch(
      /rotate --queue needs --table NAME/,
    );
  });

  it('refuses the distributed options without --queue', () => {
    for (const option of [
      ['--no-local-worker'],
      ['--shards', '4'],
      ['--keep-ledger'],
      ['--ledger-schema', 'ops'],
      ['--queue-password-env', 'REDIS_PW'],
      ['--queue-password-file', 'redis.txt'],
      ['--queue-ca', 'ca.pem'],
    ]) {
      expect(usageError(['rotate', ...base, ...option]).message).toMatch(
        new RegExp(`^${option[0]} is for a distributed rotation: add --queue`),
      );
    }
  });

  it('refuses what means nothing across machines, saying what to do instead', () => {
    const cases: [string[], RegExp][] = [
      [['--dry-run'], /no dry run: run rotate --dry-run without --queue/],
      [['--checkpoint-dir', 'cp'], /keeps its state in the database's ledger tables/],
      [['--restart'], /vaultstore-admin cancel, then rotate --queue without --resume/],
      [
        ['--allow-triggers'],
        /refuses a table with triggers .* on one machine with --allow-triggers/,
      ],
      [['--no-local-worker', '--workers', '4'], /--workers sizes the worker of this machine/],
    ];
    for (const [extra, message] of cases) {
      expect(
        usageError(['rotate', ...base, '--queue', 'redis://localhost', ...extra]).message,
        extra.join(' '),
      ).toMatch(message);
    }
  });

  it('takes the backup options of a rotation on one machine', () => {
    const backup = (extra: string[]) =>
      parsed('rotate', [...base, '--queue', 'redis://localhost', ...extra]).args.backup;
    expect(backup([])).toEqual({ kind: 'default' });
    expect(backup(['--backup', 'b.db'])).toEqual({ kind: 'path', path: 'b.db' });
    expect(backup(['--backup-table', 'vault_copy'])).toEqual({
      kind: 'table',
      table: 'vault_copy',
    });
    expect(backup(['--no-backup'])).toEqual({ kind: 'none' });
  });

  it('--shards is a positive whole number, never echoed', () => {
    expect(
      usageError(['rotate', ...base, '--queue', 'redis://localhost', '--shards', SECRET]).message,
    ).not.toContain(SECRET);
  });
});

describe('the resume command of a distributed rotation', () => {
  it('repeats --queue and its options, the Redis password by its source, with --resume', () => {
    const { args } = parsed('rotate', [
      PG,
      '--table',
      'vault',
      '--crypto',
      'tiny',
      '--queue',
      'rediss://redis.example:6380/1',
      '--queue-password-file',
      'secrets/redis.txt',
      '--queue-ca',
      'ca.pem',
      '--no-local-worker',
      '--shards',
      '40',
      '--keep-ledger',
      '--ledger-schema',
      'ops',
      '--old-password-env',
      'OLD_PW',
      '--new-password-file',
      'new.txt',
    ]);
    const command = resumeCommand(args, 'vault');
    expect(command).toContain(`rotate ${PG} --table vault --resume --crypto tiny`);
    expect(command).toContain(
      `--queue rediss://redis.example:6380/1 --queue-password-file ${resolve('secrets/redis.txt')} ` +
        `--queue-ca ${resolve('ca.pem')} --no-local-worker --shards 40 --keep-ledger --ledger-schema ops`,
    );
    expect(command).toContain('--old-password-env OLD_PW');
    // Parsed again, it is the same distributed rotation, resumed.
    const again = parseCommandLine(shellWords(command).slice(1));
    expect(again.command === 'rotate' && again.args.distributed).toEqual({
      ...args.distributed,
      queue: {
        ...args.distributed!.queue,
        caFile: resolve('ca.pem'),
        password: { kind: 'file', path: resolve('secrets/redis.txt') },
      },
    });
  });
});

/** The words of a command shellCommand printed (it quotes only what needs it). */
function shellWords(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

describe('exit codes of the distributed errors', () => {
  it('passwords refused: 8; a distributed rotation active: 5; SQLite: 2; queue and ledger: 1', () => {
    expect(exitCodeOf('PASSWORDS_REFUSED')).toBe(EXIT.passwordsRefused);
    expect(EXIT.passwordsRefused).toBe(8);
    expect(exitCodeOf('DISTRIBUTED_ACTIVE')).toBe(EXIT.rotationInProgress);
    expect(exitCodeOf('DISTRIBUTED_SQLITE')).toBe(EXIT.usage);
    expect(exitCodeOf('QUEUE_UNREACHABLE')).toBe(EXIT.error);
    expect(exitCodeOf('LEDGER_PERMISSION')).toBe(EXIT.error);
  });

  it('a refusal because another rotation is active gets no resume command (it is not ours)', () => {
    const refused = describeFailure(
      new ResumableFailure(
        new EngineError('DISTRIBUTED_ACTIVE', 'active'),
        'vaultstore-admin rotate x --resume',
      ),
    );
    expect(refused).toEqual({
      exitCode: EXIT.rotationInProgress,
      code: 'DISTRIBUTED_ACTIVE',
      message: 'active',
    });
  });
});
