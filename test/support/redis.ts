/**
 * A private real Redis per test file (tools/db-servers/redis-server.ts: about
 * 20 ms to start, so no shared one), and what tests do with it.
 *
 *   describe.skipIf(redisUnavailable())('...', () => {
 *     let redis: ManagedRedis;
 *     beforeAll(async () => (redis = await startRedis()));
 *     afterAll(() => redis.dispose());
 *   });
 *
 * Under CI (process.env.CI set) a missing redis-server is an error, never a skip.
 */
import { Redis } from 'ioredis';
import {
  findRedisServer,
  launchRedis,
  redisAvailable,
  type ManagedRedis,
  type RedisInfo,
  type RedisLaunchOptions,
} from '../../tools/db-servers/redis-server.js';

export type { ManagedRedis, RedisInfo } from '../../tools/db-servers/redis-server.js';

let warned = false;

/** Why Redis cannot be tested here (printed once), or null. Throws under CI instead. */
export function redisUnavailable(): string | null {
  if (redisAvailable()) return null;
  const reason = `[skip] Redis tests: ${findRedisServer()}`;
  if (process.env.CI) throw new Error(`${reason} (CI must run them: install the Debian package)`);
  if (!warned) {
    warned = true;
    console.warn(reason);
  }
  return reason;
}

export function startRedis(options: RedisLaunchOptions = {}): Promise<ManagedRedis> {
  return launchRedis(options);
}

/** The queue URL of `info` (never the password: that goes through QueueSettings.password). */
export function redisUrl(info: RedisInfo, db = 0): string {
  return `${info.tls ? 'rediss' : 'redis'}://${info.tls ? 'localhost' : info.host}:${info.port}/${db}`;
}

/** An administrative client of the test's Redis (call quit()). */
export function redisAdmin(info: RedisInfo): Redis {
  return new Redis({
    host: info.host,
    port: info.port,
    password: info.password,
    maxRetriesPerRequest: 1,
    ...(info.tls ? { tls: { rejectUnauthorized: false } } : {}),
  });
}

/**
 * Every key of every database and its whole value as bytes (strings, hashes,
 * lists, sets, sorted sets, streams), for "no secret in Redis" checks.
 */
export async function dumpAllKeys(client: Redis): Promise<Map<string, Buffer>> {
  const dump = new Map<string, Buffer>();
  const keyspace = await client.info('keyspace');
  const databases = [...keyspace.matchAll(/^db(\d+):/gm)].map((match) => Number(match[1]));
  for (const db of databases) {
    await client.select(db);
    let cursor = '0';
    do {
      const [next, keys] = await client.scanBuffer(cursor, 'COUNT', 500);
      cursor = next.toString();
      for (const key of keys) {
        dump.set(
          `${db}:${key.toString('latin1')}`,
          Buffer.concat([key, await valueOf(client, key)]),
        );
      }
    } while (cursor !== '0');
  }
  await client.select(0);
  return dump;
}

async function valueOf(client: Redis, key: Buffer): Promise<Buffer> {
  const type = await client.type(key);
  const parts = (items: Buffer[]): Buffer => Buffer.concat(items);
  switch (type) {
    case 'string':
      return (await client.getBuffer(key)) ?? Buffer.alloc(0);
    case 'hash':
      return parts(
        await client
          .hgetallBuffer(key)
          .then((h) => Object.entries(h).flatMap(([k, v]) => [Buffer.from(k), v])),
      );
    case 'list':
      return parts(await client.lrangeBuffer(key, 0, -1));
    case 'set':
      return parts(await client.smembersBuffer(key));
    case 'zset':
      return parts(await client.zrangeBuffer(key, 0, -1, 'WITHSCORES'));
    case 'stream': {
      const entries = (await client.xrangeBuffer(key, '-', '+')) as unknown as [Buffer, Buffer[]][];
      return parts(entries.flatMap(([id, fields]) => [id, ...fields]));
    }
    default:
      return Buffer.alloc(0);
  }
}

/** Names of the keys whose name or value holds `secret`. */
export async function keysHolding(client: Redis, secret: string | Uint8Array): Promise<string[]> {
  const needle = Buffer.from(secret);
  const found: string[] = [];
  for (const [key, bytes] of await dumpAllKeys(client)) {
    if (bytes.includes(needle)) found.push(key);
  }
  return found;
}
