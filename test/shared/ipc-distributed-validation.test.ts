/**
 * The distributed rotation's IPC arguments (issue 19): the queue URL read as
 * every `worker` reads it, the rules of the CLI's --queue (no password in the
 * URL, redis/rediss only, a password in clear only to this machine), and a
 * rotation request without dry run or restart.
 */
import { describe, expect, it } from 'vitest';
import { readQueueUrl } from '../../src/core/queue-url.js';
import { parseQueueUrl } from '../../src/engine/index.js';
import {
  IPC_METHODS,
  validateIpcArguments,
  type IpcMethodName,
} from '../../src/shared/ipc-contract.js';
import { queueUrlProblem } from '../../src/shared/ipc-distributed-validation.js';
import { INVALID_ARGUMENT, IPC_LIMITS } from '../../src/shared/ipc-validation.js';

const SECRET = 'Redis-s3cr3t-horse-battery';
const HANDLE = '6f9b0c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
const JOB = '3f1c2a9e-6c1b-4b0a-9d55-0c4b7f0e9a11';

const queue = { url: 'rediss://queue.example.internal:6380/2', caFile: null, password: SECRET };
const table = { vault: HANDLE, table: 'vault' };
const check = { ...table, queue };
const rotation = {
  ...table,
  oldPassword: 'old-password-0123',
  newPassword: 'new-password-4567',
  crypto: { preset: 'tiny' },
  includeSoftDeleted: true,
  backup: true,
  resume: false,
  queue,
  workHere: true,
};

function accepted(method: IpcMethodName, args: unknown[]): unknown[] {
  const result = validateIpcArguments(method, args);
  if (!result.ok) throw new Error(`${method} refused: ${result.error.message}`);
  return result.value as unknown[];
}

function refused(method: IpcMethodName, args: unknown[], messagePart: string | RegExp): string {
  const result = validateIpcArguments(method, args);
  expect(result.ok, `${method} accepted ${JSON.stringify(args).slice(0, 160)}`).toBe(false);
  if (result.ok) return '';
  expect(result.error.code).toBe(INVALID_ARGUMENT);
  expect(result.error.message).toContain(IPC_METHODS[method].channel);
  expect(result.error.message).not.toContain(SECRET);
  expect(result.error.message).toMatch(messagePart);
  return result.error.message;
}

/** Every call that carries a queue, with `q` in its place. */
const withQueue = (q: unknown): [IpcMethodName, unknown[]][] => [
  ['checkDistributed', [{ ...check, queue: q }, JOB]],
  ['startDistributedRotation', [{ ...rotation, queue: q }, JOB]],
];

describe('distributed IPC arguments: the queue', () => {
  it('accepts redis:// and rediss:// URLs and hands back fresh copies', () => {
    for (const url of [
      'rediss://queue.example.internal:6380/2',
      'redis://127.0.0.1:6379',
      'redis://localhost/0',
      'rediss://ops@[::1]:6380',
    ]) {
      for (const [method, args] of withQueue({ ...queue, url })) {
        const [request] = accepted(method, args) as [{ queue: object }];
        expect(request.queue).toEqual({ ...queue, url });
        expect(request.queue).not.toBe(args[0]);
      }
    }
  });

  it('refuses a password inside the URL without repeating it, and says where it goes', () => {
    for (const url of [`redis://:${SECRET}@127.0.0.1:6379`, `rediss://ops:${SECRET}@h/1`]) {
      for (const [method, args] of withQueue({ ...queue, url })) {
        refused(method, args, /holds a password.*Redis password field/s);
      }
    }
  });

  it('refuses other schemes, parameters, a path that is no database number, junk', () => {
    for (const url of [
      'http://queue.example:6379',
      'postgres://db.example/app',
      'unix:///run/redis.sock',
      'redis://h/1?tls=1',
      'redis://h/#x',
      'redis://h/queue',
      'not a url',
      '',
      `redis://h/${'1'.repeat(3000)}`,
    ]) {
      for (const [method, args] of withQueue({ ...queue, url })) refused(method, args, 'url');
    }
  });

  it('reads a URL exactly as the engine (and so every worker) does', () => {
    for (const url of [
      'redis://h',
      'rediss://u@h:1/9',
      'redis://:pw@h',
      'http://h',
      'redis://h/x',
      'redis://[::1]:7/3',
    ]) {
      const reading = readQueueUrl(url);
      let engine: unknown;
      try {
        engine = parseQueueUrl(url);
      } catch (error) {
        engine = (error as Error).message;
      }
      expect(engine).toEqual(reading.ok ? reading.address : reading.message);
      expect(queueUrlProblem(url) === null).toBe(reading.ok);
    }
  });

  it('sends a password in clear (redis://) only to this machine', () => {
    for (const [method, args] of withQueue({ ...queue, url: 'redis://queue.example:6379' })) {
      refused(method, args, /in clear .*use rediss:\/\//s);
    }
    // Without a password, or to this machine, or over TLS: fine.
    accepted('checkDistributed', [
      { ...check, queue: { ...queue, url: 'redis://queue.example:6379', password: '' } },
      JOB,
    ]);
    accepted('checkDistributed', [
      { ...check, queue: { ...queue, url: 'redis://127.0.0.1:6379' } },
      JOB,
    ]);
  });

  it('takes a CA file only for rediss://, as an absolute local path', () => {
    accepted('checkDistributed', [
      { ...check, queue: { ...queue, caFile: '/etc/ssl/q.pem' } },
      JOB,
    ]);
    const plain = { ...queue, url: 'redis://127.0.0.1:6379', caFile: '/etc/ssl/q.pem' };
    for (const [method, args] of withQueue(plain)) refused(method, args, 'caFile');
    for (const caFile of ['relative/ca.pem', '//server/share/ca.pem', 7]) {
      for (const [method, args] of withQueue({ ...queue, caFile })) refused(method, args, 'caFile');
    }
  });

  it('checks the shape: fields, types, length of the password', () => {
    const long = `${SECRET}${'p'.repeat(IPC_LIMITS.serverPasswordChars)}`;
    for (const bad of [
      null,
      'rediss://h',
      { url: queue.url, caFile: null },
      { ...queue, password: 42 },
      { ...queue, password: long },
      { ...queue, host: 'h' },
    ]) {
      for (const [method, args] of withQueue(bad)) refused(method, args, 'queue');
    }
  });
});

describe('distributed IPC arguments: the requests', () => {
  it('takes a rotation without dry run or restart, with workHere', () => {
    const [request] = accepted('startDistributedRotation', [rotation, JOB]);
    expect(request).toEqual(rotation);
    refused('startDistributedRotation', [{ ...rotation, dryRun: false }, JOB], 'dryRun');
    refused('startDistributedRotation', [{ ...rotation, restart: true }, JOB], 'restart');
    refused('startDistributedRotation', [{ ...rotation, workHere: 'yes' }, JOB], 'workHere');
    const { workHere: _omitted, ...noWorkHere } = rotation;
    refused('startDistributedRotation', [noWorkHere, JOB], 'workHere');
    refused(
      'startDistributedRotation',
      [{ ...rotation, resume: true, scanAnyway: true }, JOB],
      'scanAnyway',
    );
    refused(
      'startDistributedRotation',
      [{ ...rotation, crypto: { preset: 'huge' } }, JOB],
      'crypto',
    );
    refused('startDistributedRotation', [rotation, 'job-1'], 'jobId');
    const optional = { ...rotation, newCrypto: { preset: 'default' }, scanAnyway: true };
    expect(accepted('startDistributedRotation', [optional, JOB])[0]).toEqual(optional);
  });

  it('takes a table request as a vault handle and a table name only', () => {
    for (const method of ['distributedStatus', 'cancelDistributed'] as const) {
      expect(accepted(method, [table])).toEqual([table]);
      refused(method, [{ ...table, vault: '/home/me/vault.db' }], 'vault handle');
      refused(method, [{ ...table, table: 'a\0b' }], 'NUL');
      refused(method, [{ ...table, queue }], 'unexpected');
      refused(method, [table, JOB], 'argument');
    }
    refused('checkDistributed', [{ ...check, table: '' }, JOB], 'table');
    refused('checkDistributed', [check], 'argument');
    expect(accepted('recentQueues', [])).toEqual([]);
  });
});
