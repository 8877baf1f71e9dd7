/**
 * Real PostgreSQL and MariaDB servers for tests (no mocks). The servers are
 * started once per vitest run by ./global-setup.ts when a selected test file
 * imports this module; each test takes a fresh database with its own
 * non-superuser login from testDatabase() and disposes it.
 *
 *   describe.skipIf(serverUnavailable('postgres'))('...', () => {
 *     let db: TestDatabase;
 *     beforeAll(async () => (db = await testDatabase('postgres')));
 *     afterAll(() => db.dispose());
 *   });
 *
 * Under CI (process.env.CI set) a missing server is an error, never a skip.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { findServerPrograms, type ServerKind } from './binaries.js';
import {
  launchServer,
  mysqlAdminConfig,
  pgAdminConfig,
  type LaunchOptions,
  type ManagedServer,
  type ServerInfo,
} from './server-process.js';
import { openSession, reconnectingSession, type SqlSession } from './sql-session.js';

export type { ServerKind } from './binaries.js';
export type { LaunchOptions, ManagedServer, ServerInfo, ServerTls } from './server-process.js';
export type { Row, SqlSession } from './sql-session.js';

export const SERVER_KINDS: readonly ServerKind[] = ['postgres', 'mysql'];

export interface DbLogin {
  readonly user: string;
  readonly password: string;
}

export interface TestDatabase extends DbLogin {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** postgres://user@127.0.0.1:port/db or mysql://user@127.0.0.1:port/db (never the password) */
  readonly url: string;
  readonly server: ServerInfo;
  /** the superuser, connected to this database (reconnects after kills and restarts) */
  readonly admin: SqlSession;
  /** A new connection over TCP with a password: the owner's unless `login` is given. */
  connect(login?: DbLogin): Promise<SqlSession>;
  /** A fresh login that may only SELECT in this database (tables made now or later). */
  readOnlyUser(): Promise<DbLogin>;
  /** Ends one connection from the server side (pg_terminate_backend / KILL CONNECTION). */
  killConnection(connectionId: number): Promise<void>;
  /** Ends every connection of `user` (default: the owner); returns how many. */
  killConnectionsOf(user?: string): Promise<number>;
  /** Drops the database and its logins. */
  dispose(): Promise<void>;
}

function isInfo(value: ServerInfo | { unavailable: string } | undefined): value is ServerInfo {
  return value !== undefined && 'port' in value;
}

function provided(kind: ServerKind): ServerInfo | { unavailable: string } {
  let servers: ReturnType<typeof inject<'vsaServers'>> | undefined;
  try {
    servers = inject('vsaServers');
  } catch {
    servers = undefined;
  }
  if (servers) return servers[kind];
  const programs = findServerPrograms(kind);
  return {
    unavailable:
      typeof programs === 'string'
        ? programs
        : 'the servers were not started (vitest.config.ts lacks globalSetup test/support/servers/global-setup.ts)',
  };
}

const warned = new Set<ServerKind>();

/**
 * Why `kind` cannot be tested here (printed once), or null when its server
 * runs. Under CI it throws instead: CI must never skip the server tests.
 */
export function serverUnavailable(kind: ServerKind): string | null {
  const server = provided(kind);
  if (isInfo(server)) return null;
  const reason = `[skip] ${kind} server tests: ${server.unavailable}`;
  if (process.env.CI) throw new Error(`${reason} (CI must run them: install the Debian packages)`);
  if (!warned.has(kind)) {
    warned.add(kind);
    console.warn(reason);
  }
  return reason;
}

function sharedServer(kind: ServerKind): ServerInfo {
  const server = provided(kind);
  if (!isInfo(server)) throw new Error(`${kind} server unavailable: ${server.unavailable}`);
  return server;
}

/**
 * A server of the test's own, for tests that stop or restart it (the shared
 * one serves other files at the same time). Costs 1-2 s; dispose() it.
 */
export async function startPrivateServer(
  kind: ServerKind,
  options: LaunchOptions = {},
): Promise<ManagedServer> {
  const programs = findServerPrograms(kind);
  if (typeof programs === 'string') throw new Error(programs);
  return launchServer(programs, options);
}

/** A random lower-case identifier, valid unquoted in both dialects. */
export function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function randomPassword(): string {
  return `pw-${randomBytes(12).toString('base64url')}`;
}

/** Literal for a generated password (only [A-Za-z0-9_-]: no quoting issue). */
function literal(password: string): string {
  if (!/^[\w-]+$/.test(password)) throw new Error('generated password has unexpected characters');
  return `'${password}'`;
}

/** Session settings for a login over TCP to `server`. */
function loginSession(server: ServerInfo, database: string, login: DbLogin) {
  const base = { host: server.host, port: server.port, user: login.user, password: login.password };
  return server.kind === 'postgres'
    ? ({ kind: 'postgres', config: { ...base, database } } as const)
    : ({ kind: 'mysql', config: { ...base, database } } as const);
}

function adminSession(server: ServerInfo, database: string): SqlSession {
  return reconnectingSession(server.kind, () =>
    server.kind === 'postgres'
      ? openSession({ kind: 'postgres', config: pgAdminConfig(server, database) })
      : openSession({ kind: 'mysql', config: mysqlAdminConfig(server, database) }),
  );
}

/**
 * A fresh database with a random name, owned by a fresh non-superuser login
 * with a password (PostgreSQL: scram-sha-256 over TCP; MariaDB: a normal
 * user@'%'), on the shared server or on `options.server`.
 */
export async function testDatabase(
  kind: ServerKind,
  options: { server?: ManagedServer } = {},
): Promise<TestDatabase> {
  const server = options.server?.info ?? sharedServer(kind);
  if (server.kind !== kind) throw new Error(`options.server is a ${server.kind} server`);
  const database = randomName('vsa_db');
  const owner: DbLogin = { user: randomName('vsa_owner'), password: randomPassword() };
  const logins: string[] = [owner.user];

  const root = adminSession(server, kind === 'postgres' ? 'postgres' : '');
  try {
    if (kind === 'postgres') {
      await root.query(`CREATE ROLE ${owner.user} LOGIN PASSWORD ${literal(owner.password)}`);
      await root.query(`CREATE DATABASE ${database} OWNER ${owner.user}`);
    } else {
      await root.query(`CREATE DATABASE ${database}`);
      await root.query(`CREATE USER '${owner.user}'@'%' IDENTIFIED BY ${literal(owner.password)}`);
      await root.query(`GRANT ALL PRIVILEGES ON ${database}.* TO '${owner.user}'@'%'`);
    }
  } finally {
    await root.close();
  }
  const admin = adminSession(server, database);

  async function killConnection(connectionId: number): Promise<void> {
    if (kind === 'postgres') {
      await admin.query('SELECT pg_terminate_backend($1)', [connectionId]);
    } else {
      await admin.query(`KILL CONNECTION ${Number(connectionId)}`);
    }
  }

  return {
    kind,
    host: server.host,
    port: server.port,
    database,
    user: owner.user,
    password: owner.password,
    url: `${kind === 'postgres' ? 'postgres' : 'mysql'}://${owner.user}@${server.host}:${server.port}/${database}`,
    server,
    admin,
    connect: (login = owner) => openSession(loginSession(server, database, login)),
    async readOnlyUser() {
      const login: DbLogin = { user: randomName('vsa_reader'), password: randomPassword() };
      logins.push(login.user);
      if (kind === 'postgres') {
        await admin.query(`CREATE ROLE ${login.user} LOGIN PASSWORD ${literal(login.password)}`);
        await admin.query(`GRANT CONNECT ON DATABASE ${database} TO ${login.user}`);
        await admin.query(`GRANT USAGE ON SCHEMA public TO ${login.user}`);
        await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${login.user}`);
        await admin.query(
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner.user} IN SCHEMA public GRANT SELECT ON TABLES TO ${login.user}`,
        );
        await admin.query(
          `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO ${login.user}`,
        );
      } else {
        await admin.query(
          `CREATE USER '${login.user}'@'%' IDENTIFIED BY ${literal(login.password)}`,
        );
        await admin.query(`GRANT SELECT ON ${database}.* TO '${login.user}'@'%'`);
      }
      return login;
    },
    killConnection,
    async killConnectionsOf(user = owner.user) {
      const ids =
        kind === 'postgres'
          ? await admin.query<{ id: number }>(
              'SELECT pid AS id FROM pg_stat_activity WHERE usename = $1',
              [user],
            )
          : await admin.query<{ id: number }>(
              'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?',
              [user],
            );
      for (const { id } of ids) await killConnection(Number(id)).catch(() => undefined);
      return ids.length;
    },
    async dispose() {
      await admin.close();
      const cleanup = adminSession(server, kind === 'postgres' ? 'postgres' : '');
      try {
        if (kind === 'postgres') {
          await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          for (const user of logins) {
            await cleanup.query(`DROP OWNED BY ${user}`).catch(() => undefined);
            await cleanup.query(`DROP ROLE IF EXISTS ${user}`);
          }
        } else {
          for (const user of logins) {
            const ids = await cleanup.query<{ id: number }>(
              'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?',
              [user],
            );
            for (const { id } of ids) {
              await cleanup.query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
            }
            await cleanup.query(`DROP USER IF EXISTS '${user}'@'%'`);
          }
          await cleanup.query(`DROP DATABASE IF EXISTS ${database}`);
        }
      } finally {
        await cleanup.close();
      }
    },
  };
}
