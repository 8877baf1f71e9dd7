/**
 * One real database server (PostgreSQL or MariaDB) in a fresh data folder
 * under os.tmpdir(), on a free 127.0.0.1 port and a Unix socket in that folder.
 * Used by the tests (test/support/servers) and the benchmark (bench/servers-bench.ts).
 *
 * - As root it runs as "nobody" (initdb refuses root), otherwise as us. It
 *   never reads the checkout (which may sit in a 0700 folder): its folder,
 *   working directory and log are all under os.tmpdir().
 * - No orphans: the server leads its own process group (killed whole on
 *   dispose), gets SIGKILL from the kernel when the process that started it
 *   dies (setpriv --pdeathsig), is killed by a process 'exit' hook, and a
 *   later run sweeps folders whose owner died (sweepStaleServerFolders).
 * - No secret in argv or env: the superuser password reaches initdb in a file
 *   that is deleted right after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { NOBODY, runningAsRoot } from './server-user.js';
import { setprivPath, type ServerKind, type ServerPrograms } from './binaries.js';

export const FOLDER_PREFIX = 'vsa-dbserver-';

/** What a test needs to reach a server (plain data: it crosses from globalSetup to the workers). */
export interface ServerInfo {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** PostgreSQL: the socket directory; MariaDB: the socket file */
  readonly socket: string;
  readonly adminUser: string;
  /** empty for MariaDB: root logs in through the socket only */
  readonly adminPassword: string;
  /** the server's temporary folder (data, socket, log) */
  readonly folder: string;
}

export type ManagedServer = ManagedProcess<ServerInfo>;

/** A server process of any kind in its own folder (launchManaged). */
export interface ManagedProcess<Info> {
  readonly info: Info;
  /** the server's private folder (data, log) */
  readonly folder: string;
  /** the running server's process id (changes on restart), or null while stopped */
  readonly pid: number | null;
  /** Clean shutdown (PostgreSQL "fast", MariaDB SIGTERM); the data folder stays. */
  stop(): Promise<void>;
  /** Starts again on the same data folder and port. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Kills the whole process group and removes the folder. Idempotent. */
  dispose(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

// ---- crash safety: whatever is still running when this process exits dies with it

const live = new Map<string, () => void>();
let exitHookInstalled = false;

function track(folder: string, killNow: () => void): void {
  live.set(folder, killNow);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kill of live.values()) kill();
  });
}

/**
 * Removes server folders left by a process that died without cleaning up
 * (its server already got SIGKILL from the kernel; a survivor is killed here
 * only when its command line names the folder, so a reused pid is safe).
 */
export function sweepStaleServerFolders(): void {
  let names: string[] = [];
  try {
    names = readdirSync(tmpdir()).filter((name) => name.startsWith(FOLDER_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const folder = join(tmpdir(), name);
    const owner = readPid(join(folder, 'owner.pid'));
    if (owner === null || alive(owner)) continue;
    const server = readPid(join(folder, 'server.pid'));
    if (server !== null && alive(server)) {
      try {
        if (readFileSync(`/proc/${server}/cmdline`, 'utf8').includes(folder)) {
          process.kill(-server, 'SIGKILL');
        }
      } catch {
        // gone meanwhile
      }
    }
    rmSync(folder, { recursive: true, force: true });
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** True while `pid` runs (EPERM: it runs as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- helpers

/** A port that was free a moment ago (start() retries if another program takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A folder under os.tmpdir() that only the server user can enter. */
export function serverFolder(kind: string): string {
  const folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${kind}-`));
  writeFileSync(join(folder, 'owner.pid'), `${process.pid}\n`);
  // The server's own temporary files live here, never in the system-wide temp folder
  // that other programs clean (MariaDB lost '#sql-temptable-…' files that way).
  mkdirSync(privateTmp(folder), { mode: 0o700 });
  giveToServerUser(privateTmp(folder));
  giveToServerUser(folder);
  chmodSync(folder, 0o700);
  return folder;
}

/** The server's private temporary folder (TMPDIR, MariaDB's --tmpdir). */
function privateTmp(folder: string): string {
  return join(folder, 'tmp');
}

export function giveToServerUser(path: string): void {
  if (runningAsRoot) chownSync(path, NOBODY, NOBODY);
}

export function logTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-1500).trim();
  } catch {
    return '(no log)';
  }
}

/** Spawns `program` as the server user, in its own process group, tied to our life. */
function spawnServerProcess(program: string, args: string[], folder: string): ChildProcess {
  const log = openSync(join(folder, 'server.log'), 'a');
  try {
    const switchUser = runningAsRoot
      ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups']
      : [];
    const [command, argv] = setprivPath
      ? [setprivPath, [...switchUser, '--pdeathsig', 'KILL', '--', program, ...args]]
      : [program, args];
    const child = spawn(command, argv, {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'C.UTF-8',
        TZ: 'UTC',
        HOME: folder,
        TMPDIR: privateTmp(folder),
      },
      stdio: ['ignore', log, log],
      detached: true,
      ...(runningAsRoot && !setprivPath ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  child.ref(); // while someone waits for it (spawnServerProcess unrefs it)
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      child.unref();
      resolve(code);
    }),
  );
}

async function runToEnd(program: string, args: string[], folder: string, what: string) {
  const child = spawnServerProcess(program, args, folder);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    exited(child).then(resolve, reject);
  }).finally(() => clearTimeout(timer));
  if (code !== 0) {
    throw new Error(`${what} failed (exit ${code}):\n${logTail(join(folder, 'server.log'))}`);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export function randomSecret(): string {
  return randomBytes(18).toString('base64url');
}

// ---- the two kinds

export interface Flavour<Info = ServerInfo> {
  /** creates the data folder (initdb / mariadb-install-db) */
  init(): Promise<void>;
  args(port: number): string[];
  program: string;
  /** true once the server accepts our superuser */
  probe(port: number): Promise<boolean>;
  /** one-time setup after the first start */
  afterFirstStart(port: number): Promise<void>;
  stopSignal: NodeJS.Signals;
  info(port: number): Info;
}

function postgresFlavour(
  programs: { initdb: string; postgres: string },
  folder: string,
  durable: boolean,
  tls: ServerTls | null,
): Flavour {
  const adminPassword = randomSecret();
  const data = join(folder, 'data');
  const info = (port: number): ServerInfo => ({
    kind: 'postgres',
    host: '127.0.0.1',
    port,
    socket: folder,
    adminUser: 'postgres',
    adminPassword,
    folder,
  });
  return {
    program: programs.postgres,
    stopSignal: 'SIGINT',
    async init() {
      const pwfile = join(folder, 'admin.pw');
      writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
      giveToServerUser(pwfile);
      try {
        await runToEnd(
          programs.initdb,
          [
            '-D',
            data,
            '-U',
            'postgres',
            `--pwfile=${pwfile}`,
            '--auth-local=trust',
            '--auth-host=scram-sha-256',
            '-E',
            'UTF8',
            '--locale=C.UTF-8',
            '--no-sync',
            '--no-instructions',
          ],
          folder,
          'initdb',
        );
      } finally {
        rmSync(pwfile, { force: true });
      }
      // The server reads its key only when it owns it and nobody else may read it.
      if (tls) installTls(tls, folder);
    },
    args: (port) => [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      folder,
      ...['listen_addresses=127.0.0.1', 'unix_socket_permissions=0700', 'timezone=UTC']
        .concat(['log_timezone=UTC', 'shared_buffers=32MB', 'max_connections=100'])
        .concat(durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'])
        .concat(
          tls
            ? ['ssl=on', `ssl_cert_file=${join(folder, 'server.crt')}`].concat([
                `ssl_key_file=${join(folder, 'server.key')}`,
              ])
            : [],
        )
        .flatMap((setting) => ['-c', setting]),
    ],
    async probe(port) {
      const client = new pg.Client({
        ...pgAdminConfig(info(port)),
        connectionTimeoutMillis: 2000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async afterFirstStart() {},
    info,
  };
}

/** The certificate and key in the server's own folder, readable by the server's user only. */
export function installTls(tls: ServerTls, folder: string): { cert: string; key: string } {
  const cert = join(folder, 'server.crt');
  const key = join(folder, 'server.key');
  for (const [from, to] of [
    [tls.certFile, cert],
    [tls.keyFile, key],
  ] as const) {
    writeFileSync(to, readFileSync(from), { mode: 0o600 });
    giveToServerUser(to);
  }
  return { cert, key };
}

function mariadbFlavour(
  programs: { installDb: string; mariadbd: string },
  folder: string,
  durable: boolean,
  tls: ServerTls | null,
): Flavour {
  const data = join(folder, 'data');
  const socket = join(folder, 'mysqld.sock');
  // Debian's server.cnf defaults (utf8mb4), which --no-defaults would otherwise drop.
  const common = [
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_general_ci',
    '--innodb-log-file-size=8M',
    '--innodb-buffer-pool-size=32M',
    // throwaway data: no durability work
    ...(durable ? [] : ['--innodb-doublewrite=0', '--innodb-flush-method=nosync']),
  ];
  const info = (port: number): ServerInfo => ({
    kind: 'mysql',
    host: '127.0.0.1',
    port,
    socket,
    adminUser: 'root',
    adminPassword: '',
    folder,
  });
  return {
    program: programs.mariadbd,
    stopSignal: 'SIGTERM',
    async init() {
      await runToEnd(
        programs.installDb,
        [
          '--no-defaults',
          `--datadir=${data}`,
          '--auth-root-authentication-method=normal',
          '--skip-test-db',
          '--skip-name-resolve',
          `--tmpdir=${privateTmp(folder)}`,
          ...common,
        ],
        folder,
        'mariadb-install-db',
      );
      if (tls) installTls(tls, folder);
    },
    args: (port) => [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(folder, 'mariadbd.pid')}`,
      `--tmpdir=${privateTmp(folder)}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--default-time-zone=+00:00',
      `--innodb-flush-log-at-trx-commit=${durable ? 1 : 2}`,
      ...common,
      ...(tls
        ? [`--ssl-cert=${join(folder, 'server.crt')}`, `--ssl-key=${join(folder, 'server.key')}`]
        : []),
    ],
    async probe(port) {
      try {
        const connection = await mysql.createConnection({
          ...mysqlAdminConfig(info(port)),
          connectTimeout: 2000,
        });
        await connection.end();
        return true;
      } catch {
        return false;
      }
    },
    async afterFirstStart(port) {
      // Anonymous accounts would shadow test users that log in from localhost.
      const connection = await mysql.createConnection(mysqlAdminConfig(info(port)));
      try {
        const [rows] = await connection.query<mysql.RowDataPacket[]>(
          "SELECT User AS user, Host AS host FROM mysql.user WHERE User = ''",
        );
        for (const row of rows) {
          await connection.query('DROP USER ?@?', [row.user as string, row.host as string]);
        }
      } finally {
        await connection.end();
      }
    },
    info,
  };
}

/** node-postgres settings for the superuser (password over TCP). */
export function pgAdminConfig(info: ServerInfo, database = 'postgres'): pg.ClientConfig {
  return {
    host: info.host,
    port: info.port,
    user: info.adminUser,
    password: info.adminPassword,
    database,
  };
}

/** mysql2 settings for root (through the socket: root has no TCP login). */
export function mysqlAdminConfig(info: ServerInfo, database?: string): mysql.ConnectionOptions {
  return {
    socketPath: info.socket,
    user: info.adminUser,
    ...(database ? { database } : {}),
    timezone: 'Z',
    dateStrings: true,
  };
}

/**
 * Creates a data folder and starts a server on it. Throws, with the server's
 * log, when it does not come up in START_TIMEOUT_MS.
 */
export interface LaunchOptions {
  /**
   * Flush commits to disk as a production server does (the benchmark, to
   * compare with SQLite's synchronous=FULL). Default false: the tests'
   * throwaway data skips fsync and the doublewrite work.
   */
  readonly durable?: boolean;
  /** more server arguments, e.g. ['-c', 'shared_preload_libraries=pg_stat_statements'] */
  readonly extraArgs?: readonly string[];
  /** serve TLS with this certificate (plain connections stay accepted unless a login requires TLS) */
  readonly tls?: ServerTls;
}

export interface ServerTls {
  readonly certFile: string;
  readonly keyFile: string;
}

export async function launchServer(
  programs: ServerPrograms,
  options: LaunchOptions = {},
): Promise<ManagedServer> {
  const durable = options.durable === true;
  return launchManaged(programs.kind, (folder) => {
    const flavour =
      programs.kind === 'postgres'
        ? postgresFlavour(programs, folder, durable, options.tls ?? null)
        : mariadbFlavour(programs, folder, durable, options.tls ?? null);
    const extra = options.extraArgs ?? [];
    return { ...flavour, args: (port) => [...flavour.args(port), ...extra] };
  });
}

export async function launchManaged<Info>(
  kind: string,
  makeFlavour: (folder: string) => Flavour<Info>,
): Promise<ManagedProcess<Info>> {
  const folder = serverFolder(kind);
  const flavour = makeFlavour(folder);
  let child: ChildProcess | null = null;
  let port = 0;
  let disposed = false;
  const logFile = join(folder, 'server.log');

  const killNow = (): void => {
    if (child) killGroup(child, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  };
  track(folder, killNow);

  async function startOnce(): Promise<void> {
    const started = spawnServerProcess(flavour.program, flavour.args(port), folder);
    child = started;
    if (started.pid !== undefined) writeFileSync(join(folder, 'server.pid'), `${started.pid}\n`);
    let spawnError: Error | null = null;
    started.once('error', (error) => (spawnError = error));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw spawnError;
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(
          `${kind} server exited while starting (exit ${started.exitCode ?? started.signalCode}):\n${logTail(logFile)}`,
        );
      }
      if (await flavour.probe(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    killGroup(started, 'SIGKILL');
    throw new Error(
      `${kind} server did not accept connections in ${START_TIMEOUT_MS} ms:\n${logTail(logFile)}`,
    );
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running) return;
    killGroup(running, flavour.stopSignal);
    const timer = setTimeout(() => killGroup(running, 'SIGKILL'), STOP_TIMEOUT_MS);
    await exited(running).finally(() => clearTimeout(timer));
    child = null;
  }

  try {
    await flavour.init();
    // Another program may take the free port between freePort() and the bind: retry.
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      try {
        await startOnce();
        break;
      } catch (error) {
        if (child) killGroup(child, 'SIGKILL');
        const busy = /already in use|could not bind|Can't start server: Bind/i.test(
          existsSync(logFile) ? readFileSync(logFile, 'utf8') : '',
        );
        if (!busy || attempt === 3) throw error;
        writeFileSync(logFile, '');
      }
    }
    await flavour.afterFirstStart(port);
  } catch (error) {
    killNow();
    live.delete(folder);
    throw error;
  }

  return {
    get info() {
      return flavour.info(port);
    },
    get pid() {
      return child?.pid ?? null;
    },
    folder,
    stop,
    async start() {
      if (disposed) throw new Error('the server was disposed');
      if (!child) await startOnce();
    },
    async restart() {
      await stop();
      await startOnce();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const running = child;
      if (running) {
        killGroup(running, 'SIGKILL');
        await exited(running);
      }
      child = null;
      rmSync(folder, { recursive: true, force: true });
      live.delete(folder);
    },
  };
}
