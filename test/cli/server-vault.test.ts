/**
 * The CLI on a vault kept in a real database server: `info`, `rotate` and
 * `verify` with a connection string, the database password from a file
 * (PostgreSQL: --db-password-file; MySQL: --db-option-file with user= and
 * password=), the state folder holding checkpoint, lock and backup, an
 * unfinished rotation shown by `info` and resumed, a wrong login, and the
 * database password in no output and no file the CLI wrote.
 *
 * Skips with a printed reason when a server is not installed, or while its
 * driver is still the stub (NATIVE_UNAVAILABLE "not built yet").
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isEngineError,
  openVault,
  rotateVault,
  type Argon2Config,
} from '../../src/engine/index.js';
import {
  buildCliForTest,
  expectNoSecret,
  jsonLines,
  lastOfType,
  runCli,
  writePasswordFiles,
  type BuiltCli,
  type CliRun,
  type PasswordFiles,
} from '../support/cli.js';
import {
  expiredNow,
  fixturesDir,
  makeTempDir,
  readManifest,
  type TempDir,
} from '../support/fixtures.js';
import { FIXTURE_PASSWORD_A } from '../support/passwords.js';
import { copyVaultToServer } from '../support/server-vault-copy.js';
import {
  serverUnavailable,
  testDatabase,
  type ServerKind,
  type TestDatabase,
} from '../support/servers/index.js';

const OLD = FIXTURE_PASSWORD_A;
const NEW = 'cli-server-new-password-0123';
const TINY: Argon2Config = { iterations: 1, memoryKiB: 64, parallelism: 1 };
const manifest = readManifest('tiny200');
/** records that open with OLD: v2 and v1 values under password A, soft-deleted ones included */
const OPEN_WITH_OLD = Object.values(manifest.records).filter((r) => r.password === OLD).length;
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

let cli: BuiltCli;
beforeAll(async () => {
  cli = await buildCliForTest('server-vault');
});
afterAll(() => cli?.dispose());

/** Every file under `dir` (recursively) that contains `secret`. */
function filesContaining(dir: string, secret: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const needle = Buffer.from(secret);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesContaining(path, secret));
    else if (readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

describe('a connection string holding a password, through the CLI', () => {
  it('is refused (exit 2) without the password in the output', async () => {
    const secret = 'url-Secret-0123456789';
    for (const command of ['info', 'rotate', 'verify']) {
      const run = await runCli(cli.entry, [command, `postgres://alice:${secret}@127.0.0.1:1/db`]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/holds a password.*--db-password-file/s);
      expect(expectNoSecret(run, [secret])).toEqual([]);
    }
  });
});

const KINDS: readonly ServerKind[] = ['postgres', 'mysql'];

describe.each(KINDS)('a %s vault through the CLI', (kind) => {
  // PostgreSQL names its tables with their schema
  const tableName = kind === 'postgres' ? 'public.vault' : 'vault';
  const tableStem = tableName.replace('.', '_');
  const unavailable = serverUnavailable(kind);
  let db: TestDatabase;
  let temp: TempDir;
  let passwords: PasswordFiles;
  /** the login options: PostgreSQL a password file, MySQL an option file with user= too */
  let login: string[];
  /** the connection string given to the CLI (MySQL: without the user, which the option file gives) */
  let url: string;
  let stateDir: string;
  let env: Record<string, string>;
  let driverMissing: string | null = null;

  beforeEach(async (context) => {
    if (unavailable) return context.skip(unavailable);
    temp = makeTempDir(`vsa-cli-${kind}-`);
    db = await testDatabase(kind);
    const session = await db.connect();
    try {
      await copyVaultToServer(join(fixturesDir, 'tiny200.db'), session);
    } finally {
      await session.close();
    }
    driverMissing = await driverProblem(db);
    if (driverMissing) {
      console.warn(`[skip] CLI ${kind} tests: ${driverMissing}`);
      return context.skip(driverMissing);
    }
    passwords = writePasswordFiles(temp.path, OLD, NEW);
    const secrets = join(temp.path, 'secrets');
    if (kind === 'postgres') {
      const file = join(secrets, 'db.txt');
      writeFileSync(file, `${db.password}\n`, { mode: 0o600 });
      login = ['--db-password-file', file];
      url = db.url;
    } else {
      const file = join(secrets, 'client.cnf');
      writeFileSync(file, `[client]\nuser=${db.user}\npassword="${db.password}"\n`, {
        mode: 0o600,
      });
      login = ['--db-option-file', file];
      url = db.url.replace(`${db.user}@`, '');
    }
    stateDir = join(temp.path, 'state');
    const home = join(temp.path, 'home');
    mkdirSync(home);
    // No state, ~/.pgpass or ~/.my.cnf of the machine's user: only what the test gives.
    env = { HOME: home, XDG_STATE_HOME: stateDir };
  });

  afterEach(async () => {
    await db?.dispose();
    temp?.dispose();
  });

  /** The password is in no output and in no file under the test's folder (state, backup, checkpoint). */
  function expectNoDatabasePassword(...runs: CliRun[]): void {
    for (const run of runs) expect(expectNoSecret(run, [db.password, OLD, NEW])).toEqual([]);
    expect(filesContaining(stateDir, db.password)).toEqual([]);
    expect(filesContaining(join(temp.path, 'home'), db.password)).toEqual([]);
  }

  it('info lists the vault table with its counts', async () => {
    const text = await runCli(cli.entry, ['info', url, ...login], { env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${kind}://${db.user}@127\\.0\\.0\\.1:${db.port}/`));
    expect(text.stdout).toMatch(new RegExp(`vault\\s+200\\s+20\\s+${expiredNow(manifest)}\\s`));
    const json = await runCli(cli.entry, ['info', url, ...login, '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      tables: [{ name: tableName, records: 200, softDeleted: 20, expired: expiredNow(manifest) }],
      unfinishedRotations: [],
      checkpointProblem: null,
    });
    expectNoDatabasePassword(text, json);
  });

  it('rotate then verify, the backup in the state folder, printed; nothing in the way of a password', async () => {
    const rotate = await runCli(
      cli.entry,
      [
        'rotate',
        url,
        ...login,
        '--table',
        'vault',
        '--crypto',
        'tiny',
        '--old-password-file',
        passwords.old,
        '--new-password-file',
        passwords.new,
      ],
      { env },
    );
    expect(rotate.code, rotate.stderr).toBe(0);
    const backupLine = rotate.stdout
      .split('\n')
      .find((line) => line.startsWith('Backup of the vault before the rotation: '));
    const backup = backupLine?.split(': ')[1]?.split(' (')[0] ?? '';
    // Named after server, database and table, in the state folder ($XDG_STATE_HOME/vaultstore-admin).
    const stem = join(
      stateDir,
      'vaultstore-admin',
      `${kind}-127_0_0_1-${db.port}-${db.database}-${tableStem}-`,
    );
    expect(backup.startsWith(stem), rotate.stdout).toBe(true);
    expect(backup).toMatch(/\.backup-\d{8}-\d{6}\.db$/);
    expect(rotate.stdout).toContain('A database server cannot tell whether other programs wrote');
    expect(rotate.stdout).not.toContain('no other program wrote');
    expect(rotate.stdout).toMatch(
      /Check it with the new password: .*verify .* --db-(password|option)-file /,
    );
    const copy = await openVault(backup, { readOnly: true });
    try {
      expect((await copy.info()).tables[0]).toMatchObject({ name: 'vault', records: 200 });
    } finally {
      await copy.close();
    }

    const verify = await runCli(
      cli.entry,
      ['verify', url, ...login, '--crypto', 'tiny', '--password-file', passwords.new, '--json'],
      { env },
    );
    expect(verify.code, verify.stderr).toBe(0);
    expect(lastOfType(jsonLines(verify.stdout), 'summary')).toMatchObject({
      table: tableName,
      checked: 200,
      opened: OPEN_WITH_OLD,
    });
    // Nothing left: no checkpoint, lock or temporary besides the backup.
    const left = readdirSync(join(stateDir, 'vaultstore-admin'));
    expect(left).toEqual([backup.split('/').pop()]);
    expectNoDatabasePassword(rotate, verify);
  });

  it('info shows an unfinished rotation of the table and how to resume it; the resume finishes it', async () => {
    const checkpointDir = join(temp.path, 'checkpoints');
    const serverPassword = bytes(db.password);
    const controller = new AbortController();
    const cancelled = await rotateVault({
      vaultPath: db.url,
      serverPassword,
      oldPassword: bytes(OLD),
      newPassword: bytes(NEW),
      openConfig: TINY,
      checkpointDir,
      workers: 2,
      batchSize: 8,
      progressIntervalMs: 0,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.scanned >= 50) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');

    const info = await runCli(
      cli.entry,
      ['info', url, ...login, '--checkpoint-dir', checkpointDir],
      {
        env,
      },
    );
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain(`Unfinished rotation of table ${tableName}: started `);
    expect(info.stdout).toContain(
      `Checkpoint: ${checkpointDir}/${kind}-127_0_0_1-${db.port}-${db.database}-${tableStem}-`,
    );
    const resumeLine =
      info.stdout.split('\n').find((line) => line.includes('Resume it with')) ?? '';
    expect(resumeLine).toContain(
      `--table ${tableName} --resume --crypto tiny --checkpoint-dir ${checkpointDir}`,
    );
    // The connection string as given (no password in it), shell-quoted.
    const argv = resumeLine
      .slice(resumeLine.indexOf('vaultstore-admin ') + 'vaultstore-admin '.length)
      .split(' ')
      .map((word) => word.replace(/^'(.*)'$/, '$1'));
    expect(argv[1]).toBe(url);

    // A plain rotate does not discard it silently (no terminal to ask): it names --resume and --restart.
    const plain = await runCli(
      cli.entry,
      [
        ...argv.filter((word) => word !== '--resume'),
        ...login,
        '--old-password-file',
        passwords.old,
        '--new-password-file',
        passwords.new,
      ],
      { env },
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      new RegExp(`unfinished rotation of table ${tableName}.*--resume.*--restart`, 'is'),
    );

    // The checkpoint in the state folder holds no database password either.
    expect(filesContaining(checkpointDir, db.password)).toEqual([]);
    const resumed = await runCli(
      cli.entry,
      [
        ...argv,
        ...login,
        '--old-password-file',
        passwords.old,
        '--new-password-file',
        passwords.new,
        '--json',
      ],
      { env },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(lastOfType(jsonLines(resumed.stdout), 'summary')).toMatchObject({ status: 'completed' });
    const after = await runCli(
      cli.entry,
      ['info', url, ...login, '--checkpoint-dir', checkpointDir],
      {
        env,
      },
    );
    expect(after.stdout).not.toMatch(/Unfinished rotation/);
    expect(filesContaining(checkpointDir, db.password)).toEqual([]);
    expectNoDatabasePassword(info, resumed, after);
  });

  it('rotate --dry-run writes nothing; --backup PATH puts the backup there', async () => {
    const common = [
      'rotate',
      url,
      ...login,
      '--table',
      'vault',
      '--crypto',
      'tiny',
      '--old-password-file',
      passwords.old,
      '--new-password-file',
      passwords.new,
      '--json',
    ];
    const dry = await runCli(cli.entry, [...common, '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(lastOfType(jsonLines(dry.stdout), 'summary')).toMatchObject({
      status: 'dry-run',
      dryRun: true,
      rotated: OPEN_WITH_OLD,
      backup: null,
    });
    const backup = join(temp.path, 'backups', 'before.db');
    mkdirSync(join(temp.path, 'backups'));
    const run = await runCli(cli.entry, [...common, '--backup', backup], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(lastOfType(jsonLines(run.stdout), 'summary')).toMatchObject({
      status: 'completed',
      rotated: OPEN_WITH_OLD,
      backup,
    });
    expect(existsSync(backup)).toBe(true);
    expectNoDatabasePassword(dry, run);
  });

  it('a wrong database password: exit 1, SERVER_AUTH, the password in no output', async () => {
    const wrong = join(temp.path, 'secrets', 'wrong.txt');
    const wrongPassword = 'wrong-db-Secret-0123456789';
    writeFileSync(wrong, wrongPassword, { mode: 0o600 });
    const run = await runCli(cli.entry, ['info', db.url, '--db-password-file', wrong, '--json'], {
      env,
    });
    expect(run.code).toBe(1);
    expect(lastOfType(jsonLines(run.stdout), 'error')).toMatchObject({ code: 'SERVER_AUTH' });
    expect(run.stderr).toContain(db.url);
    expect(expectNoSecret(run, [wrongPassword, db.password])).toEqual([]);
  });
});

/** Why this kind's driver cannot be used yet (the stub), or null. */
async function driverProblem(db: TestDatabase): Promise<string | null> {
  const password = bytes(db.password);
  try {
    const store = await openVault(db.url, { readOnly: true, serverPassword: password });
    await store.close();
    return null;
  } catch (error) {
    if (isEngineError(error) && error.code === 'NATIVE_UNAVAILABLE') return error.message;
    throw error;
  } finally {
    password.fill(0);
  }
}
