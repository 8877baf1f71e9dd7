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
import { EngineError } from '../../errors.js';
import type { QueueSettings } from './types.js';

export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  /** a Redis ACL user, when the URL names one */
  readonly username: string | null;
  /** for messages: scheme, host, port and db only */
  readonly display: string;
}

const FORM = 'Write it as redis://host:port[/db] or rediss://host:port[/db] (TLS).';

function usage(message: string): EngineError {
  return new EngineError('USAGE', message);
}

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`The queue URL is not a URL. ${FORM}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usage(`The queue URL must start with redis:// or rediss://. ${FORM}`);
  }
  if (url.password !== '') {
    throw usage(
      'The queue URL holds a password, and a URL shows in process lists and shell history. ' +
        'Remove it from the URL and give it with --queue-password-env VAR or --queue-password-file FILE.',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw usage(`The queue URL takes no ?options or #fragment. ${FORM}`);
  }
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) {
    throw usage(`The queue URL's path is a Redis database number (0-99), or nothing. ${FORM}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw usage(`The queue URL names no host. ${FORM}`);
  const tls = url.protocol === 'rediss:';
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = path === '' ? 0 : Number(path);
  return {
    host,
    port,
    db,
    tls,
    username: url.username === '' ? null : decodeURIComponent(url.username),
    display: `${url.protocol}//${url.host}/${db}`,
  };
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
