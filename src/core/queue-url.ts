/**
 * The one reading of a distributed rotation's queue URL: redis://host:port[/db]
 * or rediss://host:port[/db] (TLS). Node-free, so the engine (which opens the
 * queue), the CLI (--queue) and the app's IPC validation and form read a URL
 * alike. A password inside the URL is refused: URLs end up in argv, shell
 * history, recent lists and messages. Messages never repeat the URL.
 */

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

export type QueueUrlReading =
  | { readonly ok: true; readonly address: QueueAddress }
  | { readonly ok: false; readonly message: string };

export const QUEUE_URL_SHAPE = 'redis://host:6379[/db] or rediss://host:6379[/db]';

/** Where each shell takes the Redis password (and a CA) instead of the URL. */
export interface QueueUrlAdvice {
  /** e.g. "give it with --queue-password-env VAR or --queue-password-file FILE" */
  readonly password: string;
  /** e.g. "a CA in --queue-ca" */
  readonly ca: string;
}

export const CLI_QUEUE_ADVICE: QueueUrlAdvice = {
  password: 'give it with --queue-password-env VAR or --queue-password-file FILE',
  ca: 'a CA in --queue-ca',
};

const refused = (message: string): QueueUrlReading => ({ ok: false, message });

export function readQueueUrl(
  text: string,
  advice: QueueUrlAdvice = CLI_QUEUE_ADVICE,
): QueueUrlReading {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refused(`The Redis URL cannot be read: write it as ${QUEUE_URL_SHAPE}.`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return refused(`A Redis URL starts with redis:// or rediss:// (TLS): ${QUEUE_URL_SHAPE}.`);
  }
  if (url.password !== '') {
    return refused(
      'The Redis URL holds a password, which would show in the process list, the shell history and ' +
        `messages (it is not repeated here). Remove it from the URL and ${advice.password}.`,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    return refused(
      `The Redis URL takes no parameters (?...) or fragment (#...): ${QUEUE_URL_SHAPE}; a password ` +
        `goes elsewhere (${advice.password}), ${advice.ca}.`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return refused(`The Redis URL names no host: ${QUEUE_URL_SHAPE}.`);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) {
    return refused(
      `After the host comes the Redis database number (0-99, e.g. /0), nothing else: ${QUEUE_URL_SHAPE}.`,
    );
  }
  const tls = url.protocol === 'rediss:';
  const port = url.port === '' ? 6379 : Number(url.port);
  const db = path === '' ? 0 : Number(path);
  const username = url.username === '' ? null : decodeURIComponent(url.username);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    ok: true,
    address: {
      host,
      port,
      db,
      tls,
      username,
      display: `${url.protocol}//${url.username === '' ? '' : `${url.username}@`}${shownHost}:${port}/${db}`,
    },
  };
}
