/**
 * What the distributed commands read before they reach the engine: the
 * database login (as for any server vault), the vault passwords asked for, and
 * the Redis password (--queue-password-env / -file; none: a Redis without
 * one). All bytes are the caller's to zero through dispose().
 */
import type { DistributedTarget, QueueChoice } from '../engine/index.js';
import type { PasswordSource } from './arg-types.js';
import { planServerLogin, readLoginAndPasswords } from './db-password.js';
import type { LedgerArgs, QueueArgs } from './distributed-args.js';
import type { CliIo } from './io.js';
import { rotationPasswordRequests, type PasswordRole } from './passwords.js';
import { zeroBytes } from './secret-bytes.js';

export const QUEUE_PASSWORD: PasswordRole = {
  label: 'Redis password',
  option: '--queue-password',
  prompt: 'Redis password',
  confirm: false,
};

type Request = { readonly source: PasswordSource; readonly role: PasswordRole };

export interface DistributedLogin {
  readonly target: DistributedTarget;
  /** the vault passwords asked for, in order */
  readonly passwords: Uint8Array[];
  /** the Redis password, or null (none given, or no queue) */
  readonly queuePassword: Uint8Array | null;
  /** zeroes every password read */
  dispose(): void;
}

export interface LoginRequests {
  /** the vault passwords' sources (worker, rotate --queue); none for status and cancel */
  readonly passwords?: { readonly old: PasswordSource; readonly new: PasswordSource };
  /** the queue whose password is read too */
  readonly queue?: QueueArgs;
  /** --server-timeout SECONDS */
  readonly serverTimeoutSeconds?: number | undefined;
}

/** Reads the database login, the vault passwords and the Redis password in one terminal session. */
export async function readDistributedLogin(
  args: LedgerArgs,
  io: CliIo,
  command: string,
  wanted: LoginRequests = {},
): Promise<DistributedLogin> {
  const requests: Request[] = wanted.passwords
    ? rotationPasswordRequests(wanted.passwords.old, wanted.passwords.new)
    : [];
  const { queue } = wanted;
  const queueRequest: Request[] =
    queue === undefined || queue.password === null
      ? []
      : [{ source: queue.password, role: QUEUE_PASSWORD }];
  const login = await readLoginAndPasswords(
    planServerLogin(args, io),
    [...requests, ...queueRequest],
    io,
    command,
  );
  const passwords = login.passwords.slice(0, requests.length);
  const queuePassword = queueRequest.length > 0 ? login.passwords[requests.length]! : null;
  const seconds = wanted.serverTimeoutSeconds;
  const target: DistributedTarget = {
    vaultPath: login.vaultPath,
    table: args.table,
    open: {
      ...(seconds !== undefined && { serverTimeoutMs: seconds * 1000 }),
      ...(login.serverPassword && { serverPassword: login.serverPassword }),
    },
    ...(args.ledgerSchema !== undefined && { ledgerSchema: args.ledgerSchema }),
  };
  return {
    target,
    passwords,
    queuePassword,
    dispose: () => zeroBytes(login.serverPassword, queuePassword, ...passwords),
  };
}

/**
 * The engine's queue settings: the URL as given (it holds no password), the password as bytes.
 * No name: the engine names the table's queue once it has opened the table (queueName), the
 * same for this command, every other machine's `worker` and the app.
 */
export function queueSettings(queue: QueueArgs, password: Uint8Array | null): QueueChoice {
  return {
    url: queue.url,
    ...(password !== null && { password }),
    ...(queue.caFile !== undefined && { caFile: queue.caFile }),
  };
}
