/**
 * The database password reaches only the server the user named. Fake servers
 * (test/support/fake-servers) ask for it in every readable form: a
 * PostgreSQL server asking for it in clear text or MD5, a MySQL 8 server
 * asking for caching_sha2 full authentication and handing out its own RSA
 * key. Host names are mapped to 127.0.0.1 by a resolver hook (no
 * /etc/hosts). Each case asserts on the bytes the fake received; the
 * controls show that the same fake does receive the password when the user
 * verified the server or chose to trust its key, so the assertions can fail.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import {
  makeSelfSigned,
  opensslMissing,
  type SelfSigned,
} from '../../../support/fake-servers/certificate.js';
import type { FakeServer } from '../../../support/fake-servers/fake-server.js';
import {
  startFakeMysql,
  type MysqlFake,
  type MysqlFullAuthPlugin,
} from '../../../support/fake-servers/mysql.js';
import {
  startFakePostgres,
  type PgFake,
  type PgPasswordRequest,
} from '../../../support/fake-servers/postgres.js';
import { mapHostsToLoopback } from '../../../support/fake-servers/resolver.js';

const PASSWORD = 'fake-servers-must-never-see-this-7Qz';
const REMOTE = 'db.example.test';
const LOOKALIKE = '127.db.example.test';

if (opensslMissing) console.warn(`[skip] password trust tests: ${opensslMissing}`);

let dir: TempDir;
let certificate: SelfSigned;
let restoreLookup: () => void;
const servers: FakeServer[] = [];

beforeAll(() => {
  if (opensslMissing) return;
  dir = makeTempDir('vsa-fake-servers-');
  certificate = makeSelfSigned(dir.path, [REMOTE, LOOKALIKE, 'localhost']);
  restoreLookup = mapHostsToLoopback([REMOTE, LOOKALIKE]);
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
afterAll(() => {
  restoreLookup?.();
  dir?.dispose();
});

/** Opens the URL with the password; the error (or null when it connected). */
async function attempt(url: string): Promise<Error | null> {
  return openVault(url, {
    readOnly: true,
    serverPassword: new TextEncoder().encode(PASSWORD),
  }).then(
    async (store) => {
      await store.close();
      return null;
    },
    (error: unknown) => error as Error,
  );
}

function md5Answer(user: string): string {
  const inner = createHash('md5')
    .update(PASSWORD + user)
    .digest('hex');
  return (
    'md5' +
    createHash('md5')
      .update(Buffer.concat([Buffer.from(inner), Buffer.from([1, 2, 3, 4])]))
      .digest('hex')
  );
}

describe.skipIf(opensslMissing)(
  'PostgreSQL: no password to a server not proven to be the one named',
  () => {
    async function fake(request: PgPasswordRequest): Promise<PgFake> {
      const started = await startFakePostgres(request, certificate);
      servers.push(started.server);
      return started;
    }

    /** Asserts nothing password-like reached the fake, after every connection ended. */
    async function expectNothingSent(pg: PgFake, error: Error | null): Promise<void> {
      expect(error, 'the connection must fail').not.toBeNull();
      await pg.server.settled();
      const bytes = pg.server.received().toString('latin1');
      expect(pg.answers).not.toContain('p'); // a password message (cleartext or MD5)
      expect(bytes).not.toContain(PASSWORD);
      expect(bytes).not.toContain(md5Answer('app'));
      expect(error!.message).not.toContain(PASSWORD);
    }

    it('a remote host name without sslmode gets verified TLS: a self-signed server is refused', async () => {
      const pg = await fake('cleartext');
      const error = await attempt(`postgres://app@${REMOTE}:${pg.server.port}/vault`);
      await expectNothingSent(pg, error);
      expect(error).toMatchObject({ code: 'SERVER_UNREACHABLE' });
      expect(error!.message).toMatch(/did not prove it is that host.*sslrootcert=FILE/s);
    });

    it('a host name starting with "127." is not this machine', async () => {
      const pg = await fake('cleartext');
      const error = await attempt(`postgres://app@${LOOKALIKE}:${pg.server.port}/vault`);
      await expectNothingSent(pg, error);
      expect(error).toMatchObject({ code: 'SERVER_UNREACHABLE' });
    });

    it.each<[string, PgPasswordRequest]>([
      ['sslmode=require', 'cleartext'],
      ['sslmode=require', 'md5'],
      ['sslmode=disable', 'cleartext'],
      ['', 'md5'],
      [`sslmode=verify-ca&sslrootcert=CA`, 'cleartext'],
    ])('%s on localhost: a %s password request is refused', async (query, request) => {
      const pg = await fake(request);
      const url = `postgres://app@localhost:${pg.server.port}/vault?${query.replace('CA', certificate.certFile)}`;
      const error = await attempt(url);
      await expectNothingSent(pg, error);
      expect(error).toMatchObject({ code: 'SERVER_AUTH' });
      expect(error!.message).toMatch(/The password was not sent/);
      expect(error!.message).toMatch(request === 'md5' ? /MD5/ : /clear text/);
    });

    it('control: with the certificate verified, the same fake receives the cleartext answer', async () => {
      const pg = await fake('cleartext');
      const url = `postgres://app@${REMOTE}:${pg.server.port}/vault?sslrootcert=${certificate.certFile}`;
      const error = await attempt(url);
      expect(error).toMatchObject({ code: 'SERVER_AUTH' }); // the fake refuses every login
      await pg.server.settled();
      expect(pg.answers).toContain('p');
      expect(pg.server.received().toString('latin1')).toContain(PASSWORD);
    });
  },
);

describe.skipIf(opensslMissing)(
  'MySQL: no full authentication to a server not proven to be the one named',
  () => {
    async function fake(
      tls: boolean,
      plugin: MysqlFullAuthPlugin = 'caching_sha2_password',
    ): Promise<MysqlFake> {
      const started = await startFakeMysql(tls ? certificate : null, plugin);
      servers.push(started.server);
      return started;
    }

    async function expectNothingSent(my: MysqlFake, error: Error | null): Promise<void> {
      expect(error, 'the connection must fail').not.toBeNull();
      await my.server.settled();
      expect(my.fullAuthAnswers).toEqual([]);
      expect(my.decrypted).toEqual([]);
      expect(my.server.received().toString('latin1')).not.toContain(PASSWORD);
      expect(error!.message).not.toContain(PASSWORD);
    }

    it('a remote host name gets verified TLS: a self-signed server is refused', async () => {
      const my = await fake(true);
      const error = await attempt(`mysql://app@${REMOTE}:${my.server.port}/vault`);
      await expectNothingSent(my, error);
      expect(error).toMatchObject({ code: 'SERVER_UNREACHABLE' });
      expect(error!.message).toMatch(/did not prove it is that host.*ssl-ca=FILE/s);
    });

    it('a host name starting with "127." is not this machine', async () => {
      const my = await fake(true);
      const error = await attempt(`mysql://app@${LOOKALIKE}:${my.server.port}/vault`);
      await expectNothingSent(my, error);
    });

    it.each(['', 'ssl-mode=REQUIRED'])(
      'localhost %s: caching_sha2 full authentication is refused (no clear text, no key request)',
      async (query) => {
        const my = await fake(query !== '');
        const error = await attempt(`mysql://app@localhost:${my.server.port}/vault?${query}`);
        await expectNothingSent(my, error);
        expect(error).toMatchObject({ code: 'SERVER_AUTH' });
        expect(error!.message).toMatch(/The password was not sent.*get-server-public-key=true/s);
      },
    );

    it.each(['', 'ssl-mode=REQUIRED'])(
      'localhost %s: sha256_password is refused too (mysql2 would send it in clear over any TLS)',
      async (query) => {
        const my = await fake(query !== '', 'sha256_password');
        const error = await attempt(`mysql://app@localhost:${my.server.port}/vault?${query}`);
        await expectNothingSent(my, error);
        expect(error).toMatchObject({ code: 'SERVER_AUTH' });
        expect(error!.message).toMatch(/sha256_password full authentication/);
      },
    );

    it('controls: the fake reads the password when the user fetches its key, or verified its certificate', async () => {
      const fetched = await fake(false);
      const error = await attempt(
        `mysql://app@localhost:${fetched.server.port}/vault?get-server-public-key=true`,
      );
      expect(error).toMatchObject({ code: 'SERVER_AUTH' });
      await fetched.server.settled();
      expect(fetched.decrypted).toEqual([PASSWORD]);

      const verified = await fake(true);
      await attempt(
        `mysql://app@${REMOTE}:${verified.server.port}/vault?ssl-ca=${certificate.certFile}`,
      );
      await verified.server.settled();
      expect(verified.server.received().toString('latin1')).toContain(`${PASSWORD}\0`);
    });

    it("encrypts to the user's own key file without asking the server for one", async () => {
      const my = await fake(false);
      const keyFile = `${dir.path}/server-public.pem`;
      const { writeFileSync } = await import('node:fs');
      writeFileSync(keyFile, my.publicKeyPem);
      await attempt(
        `mysql://app@localhost:${my.server.port}/vault?server-public-key-path=${keyFile}`,
      );
      await my.server.settled();
      // one answer, already encrypted (no key request byte 2 before it)
      expect(my.fullAuthAnswers).toHaveLength(1);
      expect(my.fullAuthAnswers[0]!.length).toBe(256);
      expect(my.server.received().toString('latin1')).not.toContain(PASSWORD);
    });
  },
);
