/**
 * The private Redis of the distributed-rotation tests: its password stays out
 * of argv and env, its folder and config are private, and stop/start keeps
 * the data while restart({ keepData: false }) loses it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisAdmin, redisUnavailable, startRedis, type ManagedRedis } from '../support/redis.js';
import { makeSelfSigned, opensslMissing } from '../support/fake-servers/certificate.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

describe.skipIf(redisUnavailable())('private Redis server', () => {
  let redis: ManagedRedis;
  beforeAll(async () => (redis = await startRedis()));
  afterAll(() => redis?.dispose());

  it('asks for its password, which is in no argv, env or log', async () => {
    const anonymous = new Redis({
      port: redis.info.port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    // ioredis's ready check meets NOAUTH too and emits it: heard here, not printed as unhandled
    anonymous.on('error', () => undefined);
    try {
      await expect(anonymous.set('k', 'v')).rejects.toThrow(/NOAUTH/);
    } finally {
      anonymous.disconnect();
    }
    const pid = redis.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1')).toContain('redis');
    for (const file of ['cmdline', 'environ']) {
      expect(readFileSync(`/proc/${pid}/${file}`, 'latin1')).not.toContain(redis.info.password);
    }
    expect(readFileSync(join(redis.folder, 'server.log'), 'latin1')).not.toContain(
      redis.info.password,
    );
    expect(statSync(redis.folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(redis.folder, 'redis.conf')).mode & 0o777).toBe(0o600);
  });

  it('keeps its data over stop/start and loses it on restart without data', async () => {
    const admin = redisAdmin(redis.info);
    try {
      await admin.set('kept', 'yes');
      const port = redis.info.port;
      const firstPid = redis.pid;
      await redis.restart({ keepData: true });
      expect(redis.pid).not.toBe(firstPid);
      expect(redis.info.port).toBe(port);
      // the client reconnects by itself (same port, same password)
      expect(await admin.get('kept')).toBe('yes');
      await redis.stop();
      expect(redis.pid).toBeNull();
      await redis.start();
      expect(await admin.get('kept')).toBe('yes');
      await redis.restart({ keepData: false });
      expect(redis.info.port).toBe(port);
      expect(await admin.get('kept')).toBeNull();
      expect(await admin.dbsize()).toBe(0);
    } finally {
      admin.disconnect();
    }
  });
});

describe.skipIf(redisUnavailable() ?? opensslMissing)('private Redis server over TLS', () => {
  let dir: TempDir;
  let redis: ManagedRedis;
  beforeAll(async () => {
    dir = makeTempDir('vsa-redis-tls-');
    const cert = makeSelfSigned(dir.path, ['localhost']);
    const keyFile = join(dir.path, 'fake.key');
    redis = await startRedis({ tls: { certFile: cert.certFile, keyFile } });
  });
  afterAll(async () => {
    await redis?.dispose();
    dir?.dispose();
  });

  it('speaks TLS only, with the certificate it was given', async () => {
    const trusting = new Redis({
      host: 'localhost',
      port: redis.info.port,
      password: redis.info.password,
      tls: { ca: readFileSync(join(dir.path, 'fake.pem')), servername: 'localhost' },
      maxRetriesPerRequest: 0,
    });
    try {
      expect(await trusting.ping()).toBe('PONG');
    } finally {
      trusting.disconnect();
    }
    const plain = new Redis({
      port: redis.info.port,
      password: redis.info.password,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 3000,
    });
    plain.on('error', () => undefined);
    try {
      await expect(plain.connect().then(() => plain.ping())).rejects.toThrow();
    } finally {
      plain.disconnect();
    }
  });
});
