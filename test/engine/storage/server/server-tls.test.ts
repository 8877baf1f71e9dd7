/**
 * TLS to real PostgreSQL and MariaDB servers serving a certificate from a
 * test CA (openssl, made here) for the name "localhost": verify-full with the
 * CA file connects encrypted; a CA that did not sign the server's
 * certificate, or an address the certificate does not name, is refused
 * before any query (verify-ca checks the chain but not the name, as libpq
 * does). MySQL cannot check an address (mysql2 would check "localhost"
 * instead), so verify-full to an address is refused there outright.
 */
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEngineError, openVault } from '../../../../src/engine/index.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import {
  SERVER_KINDS,
  serverUnavailable,
  startPrivateServer,
  testDatabase,
  type ManagedServer,
  type TestDatabase,
} from '../../../support/servers/index.js';
import { serverLibraryDdl } from '../../../../bench/vaultstore-ddl.js';

const openssl = spawnSync('openssl', ['version']).status === 0 ? null : 'openssl is not installed';
// The test servers listen on 127.0.0.1; the certificate names "localhost".
const localhost = (await lookup('localhost')).address;
const missing =
  openssl ??
  (localhost === '127.0.0.1' ? null : `localhost resolves to ${localhost}, not 127.0.0.1`);
if (missing) console.warn(`[skip] TLS tests: ${missing}`);

function run(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** A CA, and a server certificate it signs for the name localhost (not the address 127.0.0.1). */
function makeCertificates(dir: string): void {
  for (const ca of ['ca', 'other-ca']) {
    run(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${ca}`].concat([
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
      ]),
      dir,
    );
  }
  run(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost'].concat([
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ]),
    dir,
  );
  spawnSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost\\n" > san.ext'], {
    cwd: dir,
  });
  run(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
    ].concat(['-days', '2', '-extfile', 'san.ext', '-out', 'server.crt']),
    dir,
  );
}

describe.each(SERVER_KINDS)('TLS to %s', (kind) => {
  const unavailable = serverUnavailable(kind) ?? missing;
  let dir: TempDir;
  let server: ManagedServer;
  let db: TestDatabase;

  beforeAll(async () => {
    if (unavailable) return;
    dir = makeTempDir(`vsa-${kind}-tls-`);
    makeCertificates(dir.path);
    server = await startPrivateServer(kind, {
      tls: { certFile: join(dir.path, 'server.crt'), keyFile: join(dir.path, 'server.key') },
    });
    db = await testDatabase(kind, { server });
    const owner = await db.connect();
    try {
      for (const statement of serverLibraryDdl(kind)) await owner.query(statement);
    } finally {
      await owner.close();
    }
  });
  afterAll(async () => {
    await db?.dispose();
    await server?.dispose();
    dir?.dispose();
  });

  const url = (host: string, query: string): string =>
    `${kind}://${db.user}@${host}:${db.port}/${db.database}?${query}`;
  const open = (host: string, query: string) =>
    openVault(url(host, query), {
      readOnly: true,
      serverPassword: new TextEncoder().encode(db.password),
    });

  it.skipIf(unavailable)(
    'verify-full with the CA file: connected, and the session is encrypted',
    async () => {
      const verified = `sslmode=verify-full&sslrootcert=${join(dir.path, 'ca.pem')}`;
      if (kind === 'mysql') {
        // A login that must use TLS: the plain connection is refused, the verified one is not.
        await db.admin.query(`ALTER USER '${db.user}'@'%' REQUIRE SSL`);
        await expect(open('localhost', 'sslmode=disable')).rejects.toMatchObject({
          code: 'SERVER_AUTH',
        });
      }
      const store = await open('localhost', verified);
      try {
        expect(await store.vaultTables()).toEqual([
          db.kind === 'postgres' ? 'public.vault' : 'vault',
        ]);
        if (kind === 'postgres') {
          const encrypted = await db.admin.query<{ n: string | number }>(
            'SELECT count(*) AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) ' +
              "WHERE a.application_name = 'vaultstore-admin' AND s.ssl",
          );
          expect(Number(encrypted[0]!.n)).toBeGreaterThan(0);
        }
      } finally {
        await store.close();
      }
    },
  );

  it.skipIf(unavailable)(
    'refuses a certificate another CA signed, and a host name it does not name',
    async () => {
      const refused = async (host: string, query: string): Promise<Error> => {
        const error = await open(host, query).then(
          async (store) => {
            await store.close();
            return null;
          },
          (e: unknown) => e as Error,
        );
        expect(error, `${host} ${query}`).not.toBeNull();
        expect(isEngineError(error)).toBe(true);
        expect(error!.message).not.toContain(db.password);
        return error!;
      };
      const other = join(dir.path, 'other-ca.pem');
      const wrongCa = await refused('localhost', `sslmode=verify-full&sslrootcert=${other}`);
      expect(wrongCa.message).toMatch(/certificate|TLS|SSL/i);
      // the certificate names localhost, not the address 127.0.0.1
      const ca = join(dir.path, 'ca.pem');
      const byAddress = await refused('127.0.0.1', `sslmode=verify-full&sslrootcert=${ca}`);
      expect(byAddress.message).toMatch(/certificate|TLS|SSL|host|address/i);
      // verify-ca checks the chain only, as libpq does
      const chainOnly = await open('127.0.0.1', `sslmode=verify-ca&sslrootcert=${ca}`);
      await chainOnly.close();
    },
  );
});
