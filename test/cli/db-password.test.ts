/**
 * Connection strings on the command line and where the database password
 * comes from: parsing (accepted, refused with a URL password, --driver, the
 * options only a server takes) and the sources in their order, with real
 * files and a stand-in terminal. Never a password in a message.
 */
import { EventEmitter } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommandLine, type Invocation, type RotateArgs } from '../../src/cli/args.js';
import {
  parseMysqlOptionText,
  pgpassEntryFor,
  planServerLogin,
  readLoginAndPasswords,
  type ServerVaultArgs,
} from '../../src/cli/db-password.js';
import { describeFailure } from '../../src/cli/engine-errors.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { CliIo } from '../../src/cli/io.js';
import { resumeArguments } from '../../src/cli/resume-command.js';
import { EngineError, parseServerTarget } from '../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { usageError } from './support/usage-error.js';

const text = (bytes: Uint8Array | null): string | null =>
  bytes === null ? null : Buffer.from(bytes).toString('utf8');
const SECRET = 'db-Secret-0123456789';

function vaultArgs(argv: string[]): ServerVaultArgs {
  const invocation: Invocation = parseCommandLine(argv);
  if (!('args' in invocation)) throw new Error('not a command');
  return invocation.args;
}

describe('connection strings on the command line', () => {
  it.each(['info', 'rotate', 'verify'])(
    '%s accepts a connection string as its vault',
    (command) => {
      const args = vaultArgs([command, 'postgres://alice@db.example:6543/app?sslmode=verify-full']);
      expect(args.vaultPath).toBe('postgres://alice@db.example:6543/app?sslmode=verify-full');
      expect(args.server).toMatchObject({
        dialect: 'postgres',
        host: 'db.example',
        port: 6543,
        database: 'app',
        user: 'alice',
        tls: 'verify-full',
        display: 'postgres://alice@db.example:6543/app',
      });
      expect(vaultArgs([command, 'mysql://bob@127.0.0.1/shop']).server).toMatchObject({
        dialect: 'mysql',
        port: 3306,
      });
      expect(vaultArgs([command, 'vault.db']).server).toBeNull();
    },
  );

  it('reads TLS with a CA file (verify-full), and refuses an unknown TLS mode', () => {
    const args = vaultArgs([
      'info',
      'postgres://a@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem',
    ]);
    expect(args.server).toMatchObject({ tls: 'verify-full', caFile: '/etc/ca.pem' });
    expect(args.server?.display).toBe('postgres://a@h:5432/db');
    expect(usageError(['info', 'postgres://a@h/db?sslmode=maybe']).message).toMatch(
      /Unknown TLS mode/,
    );
  });

  it('refuses a URL holding a password (exit 2) without repeating it, naming the other sources', () => {
    for (const command of ['info', 'rotate', 'verify']) {
      const error = usageError([command, `postgres://alice:${SECRET}@db.example/app`]);
      expect(error.message).toMatch(/holds a password/);
      expect(error.message).toMatch(/--db-password-file/);
      expect(error.message).not.toContain(SECRET);
      expect(describeFailure(error).exitCode).toBe(EXIT.usage);
    }
    expect(usageError(['info', `mysql://bob:${SECRET}@h/db`]).message).toMatch(/option file/);
  });

  it('refuses --driver with a connection string, even --driver auto', () => {
    for (const driver of ['auto', 'sql.js', 'better-sqlite3']) {
      const error = usageError(['rotate', 'postgres://a@h/db', '--driver', driver]);
      expect(error.message).toMatch(/--driver.*postgres:\/\/a@h:5432\/db is a database server/);
      expect(error.command).toBe('rotate');
    }
    expect(usageError(['info', 'mysql://a@h/db', '--driver', 'auto']).message).toMatch(
      /drop --driver/,
    );
  });

  it('refuses database password options for a vault file, and --db-option-file for PostgreSQL', () => {
    expect(usageError(['info', 'v.db', '--db-password-file', 'f']).message).toMatch(
      /this vault is a file/,
    );
    expect(usageError(['verify', 'v.db', '--db-option-file', 'f']).message).toMatch(/a file/);
    expect(usageError(['info', 'postgres://a@h/db', '--db-option-file', 'f']).message).toMatch(
      /MySQL\/MariaDB option file/,
    );
    expect(
      usageError(['info', 'postgres://a@h/db', '--db-password-env', 'A', '--db-password-file', 'f'])
        .message,
    ).toMatch(/not both/);
  });

  it('refuses --db-password=VALUE without printing the value, naming the database password sources', () => {
    const error = usageError(['rotate', 'postgres://a@h/db', `--db-password=${SECRET}`]);
    expect(error.message).toMatch(/--db-password-env VAR or --db-password-file FILE/);
    expect(error.message).not.toContain(SECRET);
  });

  it('the resume command keeps the connection string as given and names the database password source', () => {
    const args = vaultArgs([
      'rotate',
      'postgres://a@h:5432/db?sslmode=require',
      '--table',
      'vault',
      '--db-password-file',
      '/run/secrets/db',
      '--old-password-env',
      'OLD',
      '--new-password-env',
      'NEW',
    ]) as RotateArgs;
    expect(resumeArguments(args, 'vault')).toEqual([
      'rotate',
      'postgres://a@h:5432/db?sslmode=require',
      '--table',
      'vault',
      '--resume',
      '--db-password-file',
      '/run/secrets/db',
      '--old-password-env',
      'OLD',
      '--new-password-env',
      'NEW',
    ]);
  });

  it('server errors exit 1 with their own code in the report', () => {
    for (const code of [
      'SERVER_UNREACHABLE',
      'SERVER_AUTH',
      'DATABASE_NOT_FOUND',
      'SERVER_PERMISSION',
      'CONNECTION_LOST',
    ] as const) {
      const failure = describeFailure(new EngineError(code, `${code} happened`));
      expect(failure).toMatchObject({ exitCode: EXIT.error, code });
    }
  });
});

/** Stands in for a terminal's stdin (keys are emitted as data). */
class StandInTerminal extends EventEmitter {
  readonly isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  type(keys: string): void {
    this.emit('data', Buffer.from(keys));
  }
}

class Screen {
  written = '';
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
}

describe('where the database password comes from', () => {
  let temp: TempDir;
  let home: string;
  beforeEach(() => {
    temp = makeTempDir('vsa-dbpw-');
    home = join(temp.path, 'home');
    mkdirSync(home);
  });
  afterEach(() => temp.dispose());

  function io(env: Record<string, string> = {}, stdin: StandInTerminal | null = null) {
    const screen = new Screen();
    const noTerminal = Object.assign(new StandInTerminal(), { isTTY: false });
    const value: CliIo = {
      stdin: stdin ?? noTerminal,
      stdout: new Screen(),
      stderr: screen,
      env: { HOME: home, ...env },
    };
    return { io: value, screen };
  }

  function secretFile(name: string, content: string, mode = 0o600): string {
    const path = join(temp.path, name);
    writeFileSync(path, content, { mode });
    chmodSync(path, mode);
    return path;
  }

  async function read(argv: string[], context: CliIo) {
    const args = vaultArgs(argv);
    const plan = planServerLogin(args, context);
    const login = await readLoginAndPasswords(plan, [], context, 'info');
    return { plan, login, password: text(login.serverPassword) };
  }

  it('--db-password-file wins over ~/.my.cnf, PGPASSWORD and ~/.pgpass (one trailing newline stripped)', async () => {
    const file = secretFile('db.txt', `${SECRET}\n`);
    writeFileSync(join(home, '.my.cnf'), '[client]\npassword=from-my-cnf\n', { mode: 0o600 });
    writeFileSync(join(home, '.pgpass'), '*:*:*:*:from-pgpass\n', { mode: 0o600 });
    const context = io({ PGPASSWORD: 'from-env' }).io;
    for (const url of ['mysql://a@h/db', 'postgres://a@h/db']) {
      const { password, plan } = await read(['info', url, '--db-password-file', file], context);
      expect(password).toBe(SECRET);
      expect(plan.origin).toBe('--db-password-file');
    }
  });

  it('--db-password-env reads the variable and removes it from the environment', async () => {
    const context = io({ DB_PW: SECRET }).io;
    const { password } = await read(
      ['info', 'postgres://a@h/db', '--db-password-env', 'DB_PW'],
      context,
    );
    expect(password).toBe(SECRET);
    expect(context.env.DB_PW).toBeUndefined();
  });

  it('a loose --db-password-file is read with the same warning as a vault password file', async () => {
    const file = secretFile('loose.txt', SECRET, 0o644);
    const { io: context, screen } = io();
    const { password } = await read(
      ['info', 'postgres://a@h/db', '--db-password-file', file],
      context,
    );
    expect(password).toBe(SECRET);
    expect(screen.written).toMatch(/database password file .* accessible to other users/);
    expect(screen.written).not.toContain(SECRET);
  });

  it('MySQL: --db-option-file gives password= and user= (added to the URL only when it has none)', async () => {
    const file = secretFile(
      'client.cnf',
      `[mysqld]\npassword=not-this\n[client]\nuser = carol\npassword="${SECRET}"\n`,
    );
    const context = io().io;
    const noUser = await read(['info', 'mysql://h:3307/shop', '--db-option-file', file], context);
    expect(noUser.password).toBe(SECRET);
    expect(parseServerTarget(noUser.login.vaultPath)).toMatchObject({
      user: 'carol',
      port: 3307,
      database: 'shop',
    });
    const withUser = await read(['info', 'mysql://dave@h/shop', '--db-option-file', file], context);
    expect(withUser.login.vaultPath).toBe('mysql://dave@h/shop');
    expect(withUser.password).toBe(SECRET);
  });

  it('MySQL: ~/.my.cnf is read when present and no option names a source', async () => {
    writeFileSync(join(home, '.my.cnf'), `[client]\npassword=${SECRET}\n`, { mode: 0o600 });
    const { password, plan } = await read(['info', 'mysql://a@h/db'], io().io);
    expect(password).toBe(SECRET);
    expect(plan.origin).toBe(join(home, '.my.cnf'));
    // Not for PostgreSQL.
    const postgres = await read(['info', 'postgres://a@h/db'], io().io);
    expect(postgres.password).toBeNull();
  });

  it('PostgreSQL: PGPASSWORD or a matching ~/.pgpass line: null, the client reads them itself', async () => {
    const viaEnv = await read(
      ['info', 'postgres://a@h/db'],
      io({ PGPASSWORD: 'x' }, new StandInTerminal()).io,
    );
    expect(viaEnv.password).toBeNull();
    expect(viaEnv.plan).toMatchObject({ origin: 'PGPASSWORD', request: null });
    writeFileSync(join(home, '.pgpass'), '# comment\nother:5432:db:a:nope\nh:5432:db:a:pw\n', {
      mode: 0o600,
    });
    const viaFile = await read(['info', 'postgres://a@h/db'], io({}, new StandInTerminal()).io);
    expect(viaFile.plan).toMatchObject({ origin: join(home, '.pgpass'), request: null });
    expect(viaFile.password).toBeNull();
  });

  it('~/.pgpass matching: fields, * wildcards, \\: escapes, PGPASSFILE, and a loose file ignored', () => {
    const target = { host: 'db:x', port: 5432, database: 'app', user: 'alice' };
    const pgpass = join(home, '.pgpass');
    const match = (content: string, env: Record<string, string> = {}) => {
      writeFileSync(pgpass, content, { mode: 0o600 });
      chmodSync(pgpass, 0o600);
      return pgpassEntryFor(target, io(env).io);
    };
    expect(match('db\\:x:5432:app:alice:pw\n')).toBe(pgpass);
    expect(match('*:*:app:*:pw\n')).toBe(pgpass);
    expect(match('db\\:x:5433:app:alice:pw\n')).toBeNull();
    expect(match('db\\:x:5432:other:alice:pw\n')).toBeNull();
    expect(match('*:*:*:bob:pw\n')).toBeNull();
    expect(pgpassEntryFor({ ...target, user: null }, io({ PGUSER: 'alice' }).io)).toBeNull();
    match('*:*:*:alice:pw\n');
    expect(pgpassEntryFor({ ...target, user: null }, io({ PGUSER: 'alice' }).io)).toBe(pgpass);
    const other = secretFile('elsewhere', '*:*:*:*:pw\n');
    writeFileSync(pgpass, '');
    expect(pgpassEntryFor(target, io({ PGPASSFILE: other }).io)).toBe(other);
    chmodSync(pgpass, 0o644);
    writeFileSync(pgpass, '*:*:*:*:pw\n');
    const { io: context, screen } = io();
    expect(pgpassEntryFor(target, context)).toBeNull();
    expect(screen.written).toMatch(/ignored by the PostgreSQL client.*chmod 600/);
  });

  it('no source: asks on a terminal, "Password for <URL without password>: ", without echo', async () => {
    const terminal = new StandInTerminal();
    const { io: context, screen } = io({}, terminal);
    const reading = read(['info', 'postgres://alice@db.example:6543/app?sslmode=require'], context);
    while (!screen.written.includes(': ')) await new Promise((r) => setImmediate(r));
    terminal.type(`${SECRET}\r`);
    const { password, plan } = await reading;
    expect(password).toBe(SECRET);
    expect(plan.origin).toBe('prompt');
    expect(screen.written).toMatch(/^Password for postgres:\/\/alice@db\.example:6543\/app: \n$/);
    expect(screen.written).not.toContain(SECRET);
  });

  it('no source and no terminal: null (a login without a password, or the server says it needs one)', async () => {
    for (const url of ['postgres://a@h/db', 'mysql://a@h/db']) {
      const { password, plan } = await read(['info', url], io().io);
      expect(password).toBeNull();
      expect(plan.origin).toBe('none');
    }
  });

  it('a vault file needs no database password', async () => {
    const { password, login } = await read(['info', 'vault.db'], io().io);
    expect(password).toBeNull();
    expect(login.vaultPath).toBe('vault.db');
  });
});

describe('parseMysqlOptionText', () => {
  it('reads [client] user= and password= (quotes, comments, other sections ignored)', () => {
    expect(
      parseMysqlOptionText(
        [
          '# comment',
          '[mysql]',
          'password=wrong-section',
          '[client]',
          '; another comment',
          '!includedir /etc/mysql/conf.d/',
          'user=erin # trailing comment',
          "password = 'a#b c'",
          '[mysqldump]',
          'user=not-this',
        ].join('\n'),
      ),
    ).toEqual({ user: 'erin', password: 'a#b c' });
    expect(parseMysqlOptionText('[client]\npassword\n')).toEqual({ user: null, password: null });
    expect(parseMysqlOptionText('[CLIENT]\r\npassword="q\\"x"\r\n')).toEqual({
      user: null,
      password: 'q"x',
    });
  });
});
