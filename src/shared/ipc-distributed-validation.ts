/**
 * Runtime validation of the distributed rotation's IPC arguments (issue 19),
 * the same way as ipc-validation.ts: fresh typed copies, messages that name
 * the field and never its value. The queue URL is read by core's one reader
 * (the CLI's and the engine's too), so a URL the app accepts is one every
 * `worker` accepts. No Node imports: the renderer may use these too.
 */
import { isLocalHost } from '../core/local-host.js';
import { readQueueUrl, type QueueUrlAdvice } from '../core/queue-url.js';
import type {
  DistributedCheckRequest,
  DistributedRotationRequest,
  DistributedTableRequest,
  QueueConnectionRequest,
} from './ipc-distributed-types.js';
import { boolean, boundedString, fail, plainObject } from './ipc-checks.js';
import {
  checkRotationFields,
  checkTableName,
  checkVaultHandle,
  checkVaultPath,
  IPC_LIMITS,
  OPTIONAL_ROTATION_FIELDS,
  ROTATION_FIELDS,
} from './ipc-validation.js';

/** A queue URL is short: scheme, user, host, port, db. */
export const QUEUE_URL_CHARS = 2048;

/** Where the app takes what a URL must not hold. */
export const APP_QUEUE_ADVICE: QueueUrlAdvice = {
  password: 'type it in the Redis password field',
  ca: 'a CA certificate in the CA file field',
};

/**
 * The queue of the form: its URL as every worker reads it, a CA file only for rediss://, and
 * a password sent in clear (redis://) only to this machine, as the CLI's --queue rules.
 */
export function checkQueueConnectionRequest(
  value: unknown,
  name = 'queue',
): QueueConnectionRequest {
  const fields = plainObject(value, name, ['url', 'caFile', 'password']);
  const url = boundedString(fields.url, `${name}.url`, 1, QUEUE_URL_CHARS);
  const reading = readQueueUrl(url, APP_QUEUE_ADVICE);
  if (!reading.ok) fail(`${name}.url: ${reading.message}`);
  const { tls, host } = reading.address;
  const caFile = fields.caFile === null ? null : checkVaultPath(fields.caFile, `${name}.caFile`);
  if (caFile !== null && !tls) fail(`${name}.caFile is only used with a rediss:// (TLS) URL.`);
  const password = boundedString(
    fields.password,
    `${name}.password`,
    0,
    IPC_LIMITS.serverPasswordChars,
  );
  if (password !== '' && !tls && !isLocalHost(host)) {
    fail(
      `${name}: redis:// would send the Redis password in clear to ${reading.address.display}, another ` +
        'machine: use rediss:// (TLS), so it goes only to the server whose certificate names that host.',
    );
  }
  return { url, caFile, password };
}

export function checkDistributedTableRequest(
  value: unknown,
  name = 'request',
): DistributedTableRequest {
  const fields = plainObject(value, name, ['vault', 'table']);
  return {
    vault: checkVaultHandle(fields.vault, `${name}.vault`),
    table: checkTableName(fields.table, `${name}.table`),
  };
}

export function checkDistributedCheckRequest(
  value: unknown,
  name = 'request',
): DistributedCheckRequest {
  const fields = plainObject(value, name, ['vault', 'table', 'queue']);
  return {
    vault: checkVaultHandle(fields.vault, `${name}.vault`),
    table: checkTableName(fields.table, `${name}.table`),
    queue: checkQueueConnectionRequest(fields.queue, `${name}.queue`),
  };
}

/** A single-machine rotation's fields (no dryRun, no restart) plus the queue and workHere. */
export function checkDistributedRotationRequest(
  value: unknown,
  name = 'request',
): DistributedRotationRequest {
  const fields = plainObject(
    value,
    name,
    [...ROTATION_FIELDS, 'queue', 'workHere'],
    OPTIONAL_ROTATION_FIELDS,
  );
  return {
    ...checkRotationFields(fields, name),
    queue: checkQueueConnectionRequest(fields.queue, `${name}.queue`),
    workHere: boolean(fields.workHere, `${name}.workHere`),
  };
}

/** For the form: the URL's problem in words (no "invalid request" wrapper), or null. */
export function queueUrlProblem(url: string): string | null {
  const reading = readQueueUrl(url, APP_QUEUE_ADVICE);
  return reading.ok ? null : reading.message;
}
