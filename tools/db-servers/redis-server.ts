/**
 * One real Redis (Debian's `redis-server`, Redis 7) for the distributed
 * rotation's tests and benchmark, started like the database servers
 * (./server-process.ts): as "nobody" when we are root, in a private 0700
 * folder under os.tmpdir(), on a free 127.0.0.1 port, tied to our life.
 *
 * - `requirepass` is a random password kept in memory; it reaches the server
 *   in its config file (0600, in the private folder), never in argv or env.
 * - stop()/start() keep the data (append-only file, fsynced on SIGTERM);
 *   restart({ keepData: false }) comes back empty on the same port and password,
 *   as a Redis whose disk was lost.
 */
import { accessSync, constants, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import {
  giveToServerUser,
  installTls,
  launchManaged,
  randomSecret,
  type Flavour,
  type ManagedProcess,
  type ServerTls,
} from './server-process.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** What a test needs to reach the Redis (plain data). */
export interface RedisInfo {
  readonly host: string;
  readonly port: number;
  /** the `requirepass` password (random, this run only) */
  readonly password: string;
  /** true: the port speaks TLS only (rediss://) */
  readonly tls: boolean;
  readonly folder: string;
}

export interface ManagedRedis extends Omit<ManagedProcess<RedisInfo>, 'restart'> {
  /** keepData false: the data folder is emptied while the server is down. */
  restart(options: { readonly keepData: boolean }): Promise<void>;
}

export interface RedisLaunchOptions {
  /** serve TLS only, with this certificate (clients need its CA) */
  readonly tls?: ServerTls;
  readonly program?: string;
}

/** The redis-server program, or a sentence saying why there is none. */
export function findRedisServer(): string {
  try {
    accessSync(REDIS_SERVER, constants.X_OK);
    return REDIS_SERVER;
  } catch {
    return `Redis is not installed (no ${REDIS_SERVER}; Debian package "redis-server")`;
  }
}

export function redisAvailable(): boolean {
  return findRedisServer() === REDIS_SERVER;
}

/**
 * True once the server answers a RESP PING, with or without our password
 * (it answers "-NOAUTH": the probe never sends the password).
 */
function answersPing(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = tls
      ? // the probe proves only that the port is up; clients check the certificate
        connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false })
      : connectTcp({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on('error', () => done(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(/^(\+PONG|-NOAUTH)/.test(reply));
    });
  });
}

function redisFlavour(program: string, folder: string, tls: ServerTls | null, password: string) {
  const data = join(folder, 'data');
  const conf = join(folder, 'redis.conf');
  const flavour: Flavour<RedisInfo> = {
    program,
    stopSignal: 'SIGTERM',
    async init() {
      mkdirSync(data, { mode: 0o700 });
      giveToServerUser(data);
      if (tls) installTls(tls, folder);
    },
    args(port) {
      const lines = [
        'bind 127.0.0.1',
        tls ? 'port 0' : `port ${port}`,
        ...(tls
          ? [
              `tls-port ${port}`,
              `tls-cert-file ${join(folder, 'server.crt')}`,
              `tls-key-file ${join(folder, 'server.key')}`,
              'tls-auth-clients no',
            ]
          : []),
        `dir ${data}`,
        'daemonize no',
        'logfile ""',
        'protected-mode yes',
        // BullMQ needs every key kept: never evict
        'maxmemory-policy noeviction',
        // "with its data" survives a stop; RDB snapshots off (the AOF is enough)
        'appendonly yes',
        'appendfsync everysec',
        'save ""',
        `requirepass ${password}`,
      ];
      writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
      giveToServerUser(conf);
      return [conf];
    },
    probe: (port) => answersPing(port, tls !== null),
    async afterFirstStart() {},
    info: (port) => ({ host: '127.0.0.1', port, password, tls: tls !== null, folder }),
  };
  return { flavour, data };
}

export async function launchRedis(options: RedisLaunchOptions = {}): Promise<ManagedRedis> {
  const program = options.program ?? findRedisServer();
  if (program !== (options.program ?? REDIS_SERVER)) throw new Error(program);
  // only [A-Za-z0-9_-]: safe on a config line
  const password = randomSecret();
  let dataFolder = '';
  const managed = await launchManaged('redis', (folder) => {
    const made = redisFlavour(program, folder, options.tls ?? null, password);
    dataFolder = made.data;
    return made.flavour;
  });
  return {
    get info() {
      return managed.info;
    },
    get pid() {
      return managed.pid;
    },
    folder: managed.folder,
    stop: () => managed.stop(),
    start: () => managed.start(),
    dispose: () => managed.dispose(),
    async restart({ keepData }) {
      await managed.stop();
      if (!keepData) {
        rmSync(dataFolder, { recursive: true, force: true });
        mkdirSync(dataFolder, { mode: 0o700 });
        giveToServerUser(dataFolder);
      }
      await managed.start();
    },
  };
}
