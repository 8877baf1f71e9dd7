/**
 * "Use other machines too": the Redis queue as the rotate dialog's form holds
 * it, and what is wrong with it: read by core/queue-url.ts as the engine, the
 * CLI and main's validation read it; here only to say early, next to the
 * field, what to fix.
 */
import { isLocalHost } from '../../core/local-host.js';
import { QUEUE_URL_SHAPE, readQueueUrl } from '../../core/queue-url.js';
import type { QueueConnection, QueueConnectionRequest } from '../../shared/ipc-contract.js';
import { APP_QUEUE_ADVICE } from '../../shared/ipc-distributed-validation.js';

export interface QueueForm {
  /** distribute the rotation (server vaults only) */
  use: boolean;
  url: string;
  /** rediss:// only; '' = the system's CAs */
  caFile: string;
  /** Redis's password ('' = none): form memory only, never stored, wiped when the job starts */
  password: string;
  /** this machine serves shards too, not only coordinates */
  workHere: boolean;
}

export const INITIAL_QUEUE_FORM: QueueForm = {
  use: false,
  url: '',
  caFile: '',
  password: '',
  workHere: true,
};

export type QueueField = 'url' | 'caFile' | 'password';

/** The fields' problems, each a sentence that says what to do; empty when the form can be sent. */
export function queueFormProblems(form: QueueForm): Partial<Record<QueueField, string>> {
  const text = form.url.trim();
  if (text === '') return { url: `Enter the Redis queue's URL: ${QUEUE_URL_SHAPE}.` };
  const reading = readQueueUrl(text, APP_QUEUE_ADVICE);
  if (!reading.ok) return { url: reading.message };
  const { tls, host } = reading.address;
  const problems: Partial<Record<QueueField, string>> = {};
  if (form.caFile !== '' && !tls) {
    problems.caFile =
      'A CA certificate is used with TLS only: start the URL with rediss://, or remove the file.';
  }
  // Main refuses it too: a password in clear only to this machine.
  if (form.password !== '' && !tls && !isLocalHost(host)) {
    problems.password =
      'redis:// would send this password in clear to another machine: use a rediss:// (TLS) URL.';
  }
  return problems;
}

/** The connection as the request and the recent list name it (the URL trimmed). */
export function queueConnectionOf(form: QueueForm): QueueConnection {
  return { url: form.url.trim(), caFile: form.caFile === '' ? null : form.caFile };
}

export function queueRequestOf(form: QueueForm): QueueConnectionRequest {
  return { ...queueConnectionOf(form), password: form.password };
}

/** Whether a recent queue is the one the form names (the select shows it chosen). */
export function sameQueue(form: QueueForm, queue: QueueConnection): boolean {
  const connection = queueConnectionOf(form);
  return connection.url === queue.url && connection.caFile === queue.caFile;
}
