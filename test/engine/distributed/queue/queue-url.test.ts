/**
 * The queue URL: its forms, the refusal of a password inside it (never
 * echoed), and TLS settings (a CA file only with rediss://). Plus rediss://
 * end to end against a private Redis serving TLS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShardQueue, parseQueueUrl } from '../../../../src/engine/distributed/queue/index.js';
import { redisOptions } from '../../../../src/engine/distributed/queue/queue-url.js';
import { makeTempDir, type TempDir } from '../../../support/fixtures.js';
import { makeSelfSigned, opensslMissing } from '../../../support/fake-servers/certificate.js';
import {
  redisUnavailable,
  redisUrl,
  startRedis,
  type ManagedRedis,
} from '../../../support/redis.js';

function usageError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('queue URL', () => {
  it('reads host, port, database and TLS', () => {
    expect(parseQueueUrl('redis://queue.example:6380/3')).toEqual({
      host: 'queue.example',
      port: 6380,
      db: 3,
      tls: false,
      username: null,
      display: 'redis://queue.example:6380/3',
    });
    expect(parseQueueUrl('rediss://ops@[::1]')).toMatchObject({
      host: '::1',
      port: 6379,
      db: 0,
      tls: true,
      username: 'ops',
    });
    expect(parseQueueUrl('redis://h/')).toMatchObject({ db: 0 });
  });

  it('refuses a password inside the URL without repeating it', () => {
    for (const url of ['redis://:s3cr3t-pw@h:6379', 'rediss://user:s3cr3t-pw@h/1']) {
      const error = usageError(() => parseQueueUrl(url));
      expect(error.code).toBe('USAGE');
      expect(error.message).toMatch(/--queue-password-env VAR or --queue-password-file FILE/);
      expect(error.message).not.toContain('s3cr3t');
    }
  });

  it('refuses other schemes, options, and a path that is not a database number', () => {
    for (const url of [
      'http://h:6379',
      'redis://h/x',
      'redis://h/1?tls=1',
      'not a url',
      'redis://',
    ]) {
      expect(usageError(() => parseQueueUrl(url)).code).toBe('USAGE');
    }
  });

  it('takes a CA file only for rediss://, and says when it cannot read it', () => {
    const dir = makeTempDir('vsa-queue-ca-');
    try {
      const ca = join(dir.path, 'ca.pem');
      writeFileSync(ca, 'PEM');
      const plain = usageError(() =>
        redisOptions(parseQueueUrl('redis://h'), { url: 'redis://h', name: 'q', caFile: ca }),
      );
      expect(plain.message).toMatch(/use rediss:\/\//);
      const missing = usageError(() =>
        redisOptions(parseQueueUrl('rediss://h'), {
          url: 'rediss://h',
          name: 'q',
          caFile: join(dir.path, 'absent.pem'),
        }),
      );
      expect(missing.message).toMatch(/Cannot read the queue's CA file .*ENOENT/);
      const options = redisOptions(parseQueueUrl('rediss://h'), {
        url: 'rediss://h',
        name: 'q',
        caFile: ca,
        password: new TextEncoder().encode('pw'),
      });
      expect(options.tls).toEqual({ servername: 'h', ca: Buffer.from('PEM') });
      expect(options.password).toBe('pw');
    } finally {
      dir.dispose();
    }
  });
});

describe.skipIf(redisUnavailable() ?? opensslMissing)('queue over rediss://', () => {
  let dir: TempDir;
  let redis: ManagedRedis;
  let caFile: string;
  beforeAll(async () => {
    dir = makeTempDir('vsa-queue-tls-');
    const cert = makeSelfSigned(dir.path, ['localhost']);
    caFile = cert.certFile;
    redis = await startRedis({
      tls: { certFile: cert.certFile, keyFile: join(dir.path, 'fake.key') },
    });
  });
  afterAll(async () => {
    await redis?.dispose();
    dir?.dispose();
  });

  it('works with the CA file, and refuses a certificate it cannot verify before sending the password', async () => {
    const settings = {
      url: redisUrl(redis.info),
      name: 'q-tls',
      password: new TextEncoder().encode(redis.info.password),
    };
    expect(settings.url).toMatch(/^rediss:\/\/localhost:/);
    const queue = await openShardQueue({ ...settings, caFile });
    try {
      await queue.enqueue([{ rotation: 'r1', phase: 'pass', round: 0, shard: 0 }]);
      expect(await queue.held('r1')).toHaveLength(1);
    } finally {
      await queue.close();
    }
    const untrusted = openShardQueue(settings);
    await expect(untrusted).rejects.toMatchObject({ code: 'QUEUE_UNREACHABLE' });
    await expect(untrusted).rejects.toThrow(/did not prove it is that host.*--queue-ca/s);
    // the CA is fine, the name is not: 127.0.0.1 is not what the certificate names
    const byAddress = openShardQueue({
      ...settings,
      url: `rediss://127.0.0.1:${redis.info.port}`,
      caFile,
    });
    await expect(byAddress).rejects.toMatchObject({ code: 'QUEUE_UNREACHABLE' });
    expect(readFileSync(caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
