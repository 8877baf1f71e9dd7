/**
 * One connection attempt before any queue work: BullMQ's own connections
 * retry forever (right once serving: Redis may restart), so a wrong URL, a
 * Redis that is down or a refused password would otherwise hang the command
 * silently. Here they end in QUEUE_UNREACHABLE / QUEUE_AUTH within a few
 * seconds, with what to do.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { EngineError } from '../../errors.js';
import { isCertificateError } from '../../storage/server/tls-errors.js';
import type { QueueAddress } from './queue-url.js';

export const PROBE_TIMEOUT_MS = 5000;

const AUTH_REFUSED = /WRONGPASS|NOAUTH|invalid password|invalid username-password/i;

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'no answer';
}

export function queueFailure(
  error: unknown,
  address: QueueAddress,
  timeoutMs: number,
): EngineError {
  const where = `Redis at ${address.display}`;
  const message = error instanceof Error ? error.message : '';
  if (AUTH_REFUSED.test(message)) {
    return new EngineError(
      'QUEUE_AUTH',
      `${where} refused the queue password, or needs one and none was given. Give it with ` +
        '--queue-password-env VAR or --queue-password-file FILE (and the ACL user in the URL, ' +
        'redis://user@host:port, if it is not "default").',
    );
  }
  if (isCertificateError(error)) {
    return new EngineError(
      'QUEUE_UNREACHABLE',
      `${where} did not prove it is that host: its TLS certificate could not be verified ` +
        `(${errorCode(error)}); nothing was sent to it. If a private CA signed it, give that CA ` +
        'with --queue-ca FILE, and use the host name the certificate names.',
      { cause: error },
    );
  }
  const code = errorCode(error);
  const hint =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'its host name does not resolve' : `${code}`;
  return new EngineError(
    'QUEUE_UNREACHABLE',
    `${where} did not answer within ${Math.round(timeoutMs / 1000)} s (${hint}). Check the ` +
      'queue URL, that Redis runs, and that this machine may reach it (firewall, TLS: rediss:// ' +
      'for a TLS port).',
    { cause: error },
  );
}

/** Connects once (no retry), authenticates and PINGs; throws QUEUE_* within `timeoutMs`. */
export async function probeRedis(
  options: RedisOptions,
  address: QueueAddress,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<void> {
  const client = new Redis({
    ...options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: unknown = null;
  client.on('error', (error) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(lastError ?? new Error('timeout')), timeoutMs);
      }),
    ]);
  } catch (error) {
    // ioredis rejects with "connection is closed"; its error event said why
    throw queueFailure(lastError ?? error, address, timeoutMs);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
