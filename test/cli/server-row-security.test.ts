/**
 * The built CLI on a PostgreSQL vault whose row-level security hides 5 of
 * its records from the login: `rotate`, `verify` and `info` refuse (exit 1,
 * SERVER_PERMISSION), naming the policy and the login to use instead, and
 * the table is unchanged; nothing of the database password in the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCliForTest,
  expectNoSecret,
  rotateArgs,
  runCli,
  writePasswordFiles,
  type BuiltCli,
} from '../support/cli.js';
import { fixturesDir, makeTempDir, type TempDir } from '../support/fixtures.js';
import { FIXTURE_PASSWORD_A } from '../support/passwords.js';
import { copyVaultToServer, readServerVault } from '../support/server-vault-copy.js';
import {
  randomName,
  serverUnavailable,
  testDatabase,
  type SqlSession,
  type TestDatabase,
} from '../support/servers/index.js';

const NEW = 'cli-rls-new-password-0123';

describe.skipIf(serverUnavailable('postgres'))('row-level security through the CLI', () => {
  let cli: BuiltCli;
  let db: TestDatabase;
  let owner: SqlSession;
  let temp: TempDir;
  const app = { user: randomName('vsa_app'), password: `pw-${randomName('app')}` };

  beforeAll(async () => {
    cli = await buildCliForTest('server-row-security');
    temp = makeTempDir('vsa-cli-rls-');
    db = await testDatabase('postgres');
    owner = await db.connect();
    await copyVaultToServer(join(fixturesDir, 'tiny200.db'), owner);
    await db.admin.query(`CREATE ROLE ${app.user} LOGIN PASSWORD '${app.password}'`);
    await db.admin.query(`GRANT CONNECT ON DATABASE ${db.database} TO ${app.user}`);
    await db.admin.query(`GRANT USAGE ON SCHEMA public TO ${app.user}`);
    await owner.query(`GRANT SELECT, UPDATE ON vault TO ${app.user}`);
    const [sixth] = await owner.query<{ id: string }>(
      'SELECT id FROM vault ORDER BY id OFFSET 5 LIMIT 1',
    );
    await owner.query('ALTER TABLE vault ENABLE ROW LEVEL SECURITY');
    await owner.query(
      `CREATE POLICY visible ON vault FOR ALL TO ${app.user} USING (id >= '${sixth!.id}')`,
    );
  });
  afterAll(async () => {
    await owner?.close();
    await db?.admin.query(`DROP OWNED BY ${app.user}`);
    await db?.admin.query(`DROP ROLE ${app.user}`);
    await db?.dispose();
    temp?.dispose();
    cli?.dispose();
  });

  it('rotate, verify and info refuse with the policy named; the table unchanged', async () => {
    const passwords = writePasswordFiles(temp.path, FIXTURE_PASSWORD_A, NEW);
    const dbPasswordFile = join(temp.path, 'db.txt');
    writeFileSync(dbPasswordFile, `${app.password}\n`, { mode: 0o600 });
    const home = join(temp.path, 'home');
    mkdirSync(home);
    const env = { HOME: home, XDG_STATE_HOME: join(temp.path, 'state') };
    const url = db.url.replace(`${db.user}@`, `${app.user}@`);
    const login = ['--db-password-file', dbPasswordFile];
    const before = await readServerVault(owner);

    const runs = [
      await runCli(cli.entry, rotateArgs(url, passwords, login), { env }),
      await runCli(
        cli.entry,
        ['verify', url, ...login, '--crypto', 'tiny', '--password-file', passwords.new],
        { env },
      ),
      await runCli(cli.entry, ['info', url, ...login], { env }),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain('Row-level security is on for the table public.vault');
      expect(run.stderr).toContain('"visible" (FOR ALL, USING (');
      expect(run.stderr).toContain(`owner "${db.user}"`);
      expect(run.stderr).toContain('BYPASSRLS');
      expect(expectNoSecret(run, [app.password, FIXTURE_PASSWORD_A, NEW])).toEqual([]);
    }
    expect(runs[0]!.stderr).toContain('Nothing was changed');
    expect(await readServerVault(owner)).toEqual(before);
  });
});
