/**
 * The CLI end of "the password reaches only the server named": the built CLI
 * against fake servers on this machine that ask for the password in a form
 * they could read. It exits 1 (SERVER_AUTH) saying what to do, and the fake
 * never receives the password; a repeated URL parameter is a usage error.
 * (Remote names and the verify-full default: test/engine/storage/password-trust.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCliForTest, runCli, type BuiltCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';
import { makeSelfSigned, opensslMissing } from '../support/fake-servers/certificate.js';
import type { FakeServer } from '../support/fake-servers/fake-server.js';
import { startFakeMysql } from '../support/fake-servers/mysql.js';
import { startFakePostgres } from '../support/fake-servers/postgres.js';

const PASSWORD = 'cli-fake-servers-never-see-this-3Kp';

let cli: BuiltCli;
let dir: TempDir;
const servers: FakeServer[] = [];
beforeAll(async () => {
  cli = await buildCliForTest('password-trust');
  dir = makeTempDir('vsa-cli-trust-');
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(() => {
  cli?.dispose();
  dir?.dispose();
});

const info = (url: string) =>
  runCli(cli.entry, ['info', url, '--db-password-env', 'DB_PW'], {
    env: { DB_PW: PASSWORD, XDG_STATE_HOME: dir.path },
  });

describe.skipIf(opensslMissing)(
  'the CLI sends no readable password to an unverified server',
  () => {
    it('PostgreSQL asking for it in clear text over sslmode=require: exit 1, nothing sent', async () => {
      const certificate = makeSelfSigned(dir.path, ['localhost']);
      const pg = await startFakePostgres('cleartext', certificate);
      servers.push(pg.server);
      const run = await info(`postgres://app@localhost:${pg.server.port}/vault?sslmode=require`);
      await pg.server.settled();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/clear text.*The password was not sent.*sslmode=verify-full/s);
      expect(pg.answers).not.toContain('p');
      expect(pg.server.received().toString('latin1')).not.toContain(PASSWORD);
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    });

    it('MySQL on localhost without TLS asking for full authentication: exit 1, nothing sent', async () => {
      const my = await startFakeMysql(null);
      servers.push(my.server);
      const run = await info(`mysql://app@localhost:${my.server.port}/vault`);
      await my.server.settled();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/server-public-key-path=FILE.*get-server-public-key=true/s);
      expect(my.fullAuthAnswers).toEqual([]);
      expect(my.server.received().toString('latin1')).not.toContain(PASSWORD);
    });
  },
);

describe('a parameter given twice', () => {
  it('is a usage error (exit 2), not "the last one wins"', async () => {
    const run = await info('postgres://app@db.example/vault?sslmode=verify-full&sslmode=disable');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/sslmode more than once/);
  });
});
