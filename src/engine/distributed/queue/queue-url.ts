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

const SHAPE = 'redis://host:6379[/db] or rediss://host:6379[/db]';

function usage(message: string): EngineError {
  return new EngineError('USAGE', message);
}

/** The one reading of a queue URL (the CLI's --queue checks go through it too). */
export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`The Redis URL cannot be read: write it as ${SHAPE}.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw usage(`A Redis URL starts with redis:// or rediss:// (TLS): ${SHAPE}.`);
  }
  if (url.password !== '') {
    throw usage(
      'The Redis URL holds a password, which would show in the process list, the shell history and ' +
        'messages (it is not repeated here). Remove it from the URL and give it with ' +
        '--queue-password-env VAR or --queue-password-file FILE.',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw usage(
      `The Redis URL takes no parameters (?...) or fragment (#...): ${SHAPE}; a password goes in ` +
        '--queue-password-env / --queue-password-file, a CA in --queue-ca.',
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw usage(`The Redis URL names no host: ${SHAPE}.`);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) {
    throw usage(
      `After the host comes the Redis database number (0-99, e.g. /0), nothing else: ${SHAPE}.`,
    );
  }
  const tls = url.protocol === 'rediss:';
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = path === '' ? 0 : Number(path);
  const username = url.username === '' ? null : decodeURIComponent(url.username);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    db,
    tls,
    username,
    display: `${url.protocol}//${url.username === '' ? '' : `${url.username}@`}${shownHost}:${port}/${db}`,
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
