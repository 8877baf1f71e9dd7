/**
 * The Redis URL of a distributed rotation (--queue): redis://[user@]host[:port][/db]
 * or rediss://... Refused, without echoing it, when it holds a password (argv
 * is public) or anything the queue would read besides host, port and db.
 */
import { isLocalHost } from '../core/local-host.js';
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

const DEFAULT_PORT = 6379;
const SHAPE = 'redis://host:6379[/db] or rediss://host:6379[/db]';

function refused(message: string, command: string): UsageError {
  return new UsageError(`--queue: ${message}`, command);
}

/** The parsed URL, its password source checked against it (a password in clear goes to this machine only). */
export function parseQueueArgs(
  text: string,
  password: PasswordSource | null,
  caFile: string | undefined,
  command: string,
): QueueArgs {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused(`the Redis URL cannot be read: write it as ${SHAPE}.`, command);
  }
  const scheme = url.protocol.toLowerCase();
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    throw refused(`a Redis URL starts with redis:// or rediss:// (TLS): ${SHAPE}.`, command);
  }
  if (url.password !== '') {
    throw refused(
      'the Redis URL holds a password, which would show in the process list, the shell history and ' +
        'messages (it is not repeated here). Remove it from the URL and give it with ' +
        '--queue-password-env VAR or --queue-password-file FILE.',
      command,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw refused(
      `the Redis URL takes no parameters (?...) or fragment (#...): ${SHAPE}; a password goes in ` +
        '--queue-password-env / --queue-password-file, a CA in --queue-ca.',
      command,
    );
  }
  const host = decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw refused(`the Redis URL names no host: ${SHAPE}.`, command);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^[0-9]{1,2}$/.test(db)) {
    throw refused(
      `after the host comes the Redis database number (0-99, e.g. /0), nothing else: ${SHAPE}.`,
      command,
    );
  }
  const tls = scheme === 'rediss:';
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
  const user = url.username === '' ? '' : `${url.username}@`;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const display = `${tls ? 'rediss' : 'redis'}://${user}${shownHost}:${url.port || DEFAULT_PORT}/${db || '0'}`;
  return { url: text, display, tls, password, caFile };
}
