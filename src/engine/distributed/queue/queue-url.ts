/**
 * The queue's address: redis://host:port[/db] or rediss://host:port[/db]
 * (TLS, checked against the system's CAs, or only the CA file given). A
 * password inside the URL is refused: URLs end up in argv, shell history and
 * process lists; the password comes from QueueSettings.password instead.
 * Messages never repeat the URL (it may hold that password).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { RedisOptions } from 'ioredis';
import { readQueueUrl, type QueueAddress } from '../../../core/queue-url.js';
import { EngineError } from '../../errors.js';
import type { QueueSettings } from './types.js';

function usage(message: string): EngineError {
  return new EngineError('USAGE', message);
}

export type { QueueAddress };

/** The one reading of a queue URL (core/queue-url.ts; the CLI's --queue checks go through it too). */
export function parseQueueUrl(text: string): QueueAddress {
  const reading = readQueueUrl(text);
  if (!reading.ok) throw usage(reading.message);
  return reading.address;
}

/**
 * ioredis settings for `address`: TLS checks the certificate names the host;
 * reconnects with a capped backoff (Redis restarts must not end a worker).
 */
export function redisOptions(address: QueueAddress, settings: QueueSettings): RedisOptions {
  if (settings.caFile !== undefined && !address.tls) {
    throw usage(
      'A CA file was given for a redis:// queue URL, which does not use TLS: use rediss://.',
    );
  }
  let ca: Buffer | undefined;
  if (settings.caFile !== undefined) {
    try {
      ca = readFileSync(settings.caFile);
    } catch (error) {
      throw usage(
        `Cannot read the queue's CA file ${JSON.stringify(settings.caFile)} ` +
          `(${(error as NodeJS.ErrnoException).code ?? 'error'}): give a readable PEM file.`,
      );
    }
  }
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== null ? { username: address.username } : {}),
    ...(settings.password !== undefined
      ? { password: Buffer.from(settings.password).toString('utf8') }
      : {}),
    ...(address.tls
      ? {
          tls: {
            // SNI takes names only; Node checks an address against the certificate without it
            ...(isIP(address.host) === 0 ? { servername: address.host } : {}),
            ...(ca ? { ca } : {}),
          },
        }
      : {}),
    connectTimeout: 5000,
    // BullMQ workers block on Redis: commands wait for the connection instead of failing.
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
  };
}
