/**
 * The Redis URL of a distributed rotation (--queue): redis://[user@]host[:port][/db]
 * or rediss://... Refused, without echoing it, when it holds a password (argv
 * is public) or anything the queue would read besides host, port and db.
 */
import { isLocalHost } from '../core/local-host.js';
import { isEngineError, parseQueueUrl, type QueueAddress } from '../engine/index.js';
import { UsageError } from './cli-error.js';
import type { PasswordSource } from './arg-types.js';

export interface QueueArgs {
  /** as given (it never holds a password) */
  readonly url: string;
  /** redis://user@host:6379/0: for messages */
  readonly display: string;
  /** rediss:// */
  readonly tls: boolean;
  /** --queue-password-env / -file; null: Redis without a password */
  readonly password: PasswordSource | null;
  /** --queue-ca FILE (rediss:// only) */
  readonly caFile: string | undefined;
}

function refused(message: string, command: string): UsageError {
  return new UsageError(`--queue: ${message}`, command);
}

/** The URL as the engine reads it; its refusals become usage errors (exit 2). */
function queueAddress(text: string, command: string): QueueAddress {
  try {
    return parseQueueUrl(text);
  } catch (error) {
    if (!isEngineError(error) || error.code !== 'USAGE') throw error;
    throw refused(error.message.charAt(0).toLowerCase() + error.message.slice(1), command);
  }
}

/** The parsed URL, its password source checked against it (a password in clear goes to this machine only). */
export function parseQueueArgs(
  text: string,
  password: PasswordSource | null,
  caFile: string | undefined,
  command: string,
): QueueArgs {
  const { host, tls, display } = queueAddress(text, command);
  if (caFile !== undefined && !tls) {
    throw new UsageError(
      '--queue-ca names the CA of a Redis reached over TLS: use a rediss:// URL (or drop --queue-ca).',
      command,
    );
  }
  // As for a database: a password crosses the network in clear only to this machine.
  if (password !== null && !tls && !isLocalHost(host)) {
    throw refused(
      `redis:// sends the Redis password in clear to ${host}, another machine: use rediss:// (TLS), ` +
        'so the password goes only to the server whose certificate names that host.',
      command,
    );
  }
  return { url: text, display, tls, password, caFile };
}
