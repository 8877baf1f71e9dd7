/**
 * Private PostgreSQL and MariaDB servers for the benchmark, started with the
 * launcher the tests use (tools/db-servers): fresh data folders under
 * os.tmpdir(), 127.0.0.1 on free ports, commits flushed to disk (unlike the
 * tests' servers), one non-superuser login with a password that owns a
 * database per benchmark vault. dispose() stops the servers and removes their
 * folders; the launcher also kills them if this process dies first.
 */
import { randomBytes } from 'node:crypto';
import { findServerPrograms, type ServerKind } from '../tools/db-servers/binaries.js';
import {
  launchServer,
  mysqlAdminConfig,
  pgAdminConfig,
  sweepStaleServerFolders,
  type ManagedServer,
  type ServerInfo,
} from '../tools/db-servers/server-process.js';
import { openSession, type SqlSession } from '../tools/db-servers/sql-session.js';
import { copyVaultToServer } from './server-vault-copy.js';

export const SERVER_KINDS: readonly ServerKind[] = ['postgres', 'mysql'];
export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  postgres: 'PostgreSQL',
  mysql: 'MariaDB',
};

/** A database holding a copy of a benchmark vault, as rotateVault takes it. */
export interface ServerVault {
  /** postgres://user@127.0.0.1:port/db or mysql://... (never the password) */
  readonly vaultPath: string;
  /** the login's password as bytes, a fresh copy per call (rotateVault's caller zeroes it) */
  serverPassword(): Uint8Array;
}

export interface BenchServer {
  readonly kind: ServerKind;
  /** the server's version number, e.g. "15.14" or "10.11.14" */
  readonly version: string;
  /** initdb / mariadb-install-db and the first start */
  readonly startSeconds: number;
  /** its temporary folder (data, socket, log), removed by dispose() */
  readonly folder: string;
  /** A fresh database `name` owned by the benchmark login, holding the vault in SQLite `file`. */
  copyVault(file: string, name: string): Promise<ServerVault>;
  /** A superuser session (server statistics), in `database` if given. */
  admin(database?: string): Promise<SqlSession>;
}

export interface BenchServers {
  readonly running: ReadonlyMap<ServerKind, BenchServer>;
  /** per kind that does not run: why (package missing, server did not start) */
  readonly unavailable: Readonly<Partial<Record<ServerKind, string>>>;
  /** Stops every server and removes its folder. Idempotent. */
  dispose(): Promise<void>;
}

const LOGIN = 'vsa_bench';

function adminSession(info: ServerInfo, database?: string): Promise<SqlSession> {
  return info.kind === 'postgres'
    ? openSession({ kind: 'postgres', config: pgAdminConfig(info, database) })
    : openSession({ kind: 'mysql', config: mysqlAdminConfig(info, database) });
}

async function serverVersion(info: ServerInfo): Promise<string> {
  const admin = await adminSession(info);
  try {
    const [row] = await admin.query<{ version: string }>(
      info.kind === 'postgres'
        ? "SELECT current_setting('server_version') AS version"
        : 'SELECT VERSION() AS version',
    );
    // "15.14 (Debian 15.14-0+deb12u1)" -> "15.14", "10.11.14-MariaDB-0+deb12u1" -> "10.11.14"
    return /^[\d.]+/.exec(String(row?.version ?? ''))?.[0] ?? '?';
  } finally {
    await admin.close();
  }
}

/** The benchmark login; the password is generated ([A-Za-z0-9_-] only, safe as a literal). */
async function createLogin(info: ServerInfo, password: string): Promise<void> {
  const admin = await adminSession(info);
  try {
    if (info.kind === 'postgres') {
      await admin.query(`CREATE ROLE ${LOGIN} LOGIN PASSWORD '${password}'`);
    } else {
      await admin.query(`CREATE USER '${LOGIN}'@'%' IDENTIFIED BY '${password}'`);
    }
  } finally {
    await admin.close();
  }
}

async function createDatabase(info: ServerInfo, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = await adminSession(info);
  try {
    if (info.kind === 'postgres') {
      await admin.query(`CREATE DATABASE ${name} OWNER ${LOGIN}`);
    } else {
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(`GRANT ALL PRIVILEGES ON ${name}.* TO '${LOGIN}'@'%'`);
    }
  } finally {
    await admin.close();
  }
}

function benchServer(server: ManagedServer, version: string, startSeconds: number): BenchServer {
  const info = server.info;
  const password = randomBytes(18).toString('base64url');
  let loginReady: Promise<void> | null = null;
  return {
    kind: info.kind,
    version,
    startSeconds,
    folder: info.folder,
    admin: (database) => adminSession(info, database),
    async copyVault(file, name) {
      await (loginReady ??= createLogin(info, password));
      await createDatabase(info, name);
      // As the owner, over TCP with the password: the tables are the login's, as in a real setup.
      const login = { host: info.host, port: info.port, user: LOGIN, password, database: name };
      const owner =
        info.kind === 'postgres'
          ? await openSession({ kind: 'postgres', config: login })
          : await openSession({ kind: 'mysql', config: login });
      try {
        await copyVaultToServer(file, owner);
      } finally {
        await owner.close();
      }
      const scheme = info.kind === 'postgres' ? 'postgres' : 'mysql';
      return {
        vaultPath: `${scheme}://${LOGIN}@${info.host}:${info.port}/${name}`,
        serverPassword: () => new TextEncoder().encode(password),
      };
    },
  };
}

/** Starts the servers whose packages are installed (in parallel); never throws for a missing one. */
export async function startBenchServers(
  options: {
    kinds?: readonly ServerKind[];
    extraArgs?: Partial<Record<ServerKind, string[]>>;
  } = {},
): Promise<BenchServers> {
  sweepStaleServerFolders();
  const managed: ManagedServer[] = [];
  const running = new Map<ServerKind, BenchServer>();
  const unavailable: Partial<Record<ServerKind, string>> = {};
  let disposed: Promise<void> | null = null;
  const dispose = (): Promise<void> =>
    (disposed ??= Promise.allSettled(managed.map((server) => server.dispose())).then(() => {}));
  try {
    await Promise.all(
      (options.kinds ?? SERVER_KINDS).map(async (kind) => {
        const programs = findServerPrograms(kind);
        if (typeof programs === 'string') {
          unavailable[kind] = programs;
          return;
        }
        const startedAt = performance.now();
        let server: ManagedServer;
        try {
          // Durable commits, like the SQLite store's synchronous=FULL: a fair comparison.
          server = await launchServer(programs, {
            durable: true,
            extraArgs: options.extraArgs?.[kind] ?? [],
          });
        } catch (error) {
          unavailable[kind] = `the server did not start: ${(error as Error).message}`;
          return;
        }
        managed.push(server);
        const startSeconds = (performance.now() - startedAt) / 1000;
        running.set(kind, benchServer(server, await serverVersion(server.info), startSeconds));
      }),
    );
  } catch (error) {
    await dispose();
    throw error;
  }
  return { running, unavailable, dispose };
}
