/**
 * The command line of a distributed rotation: `rotate --queue`, `worker`,
 * `status`, `cancel`. A vault file is refused (one machine opens it); so are
 * options that mean nothing across machines.
 */
import type { Argon2BackendPreference } from '../engine/index.js';
import type { PasswordSource, VaultArguments } from './arg-types.js';
import { UsageError } from './cli-error.js';
import {
  KDF_CHOICES,
  MAX_SERVER_TIMEOUT_S,
  MAX_WORKERS,
  choiceOption,
  flag,
  integerOption,
  nonEmpty,
  passwordSource,
  type Values,
} from './option-values.js';
import type { CommandName } from './options.js';
import { parseQueueArgs, type QueueArgs } from './queue-url.js';

export type { QueueArgs } from './queue-url.js';

/** What `rotate --queue` adds to a rotation. */
export interface DistributedRotateArgs {
  readonly queue: QueueArgs;
  /** false: --no-local-worker (this machine only coordinates) */
  readonly localWorker: boolean;
  /** --shards N; undefined: the engine cuts by time */
  readonly shards: number | undefined;
  readonly keepLedger: boolean;
  readonly ledgerSchema: string | undefined;
}

/** status and cancel: the ledger of one table. */
export interface LedgerArgs extends VaultArguments {
  readonly table: string;
  readonly ledgerSchema: string | undefined;
  readonly json: boolean;
}

export type StatusArgs = LedgerArgs;
export type CancelArgs = LedgerArgs;

export interface WorkerArgs extends LedgerArgs {
  readonly queue: QueueArgs;
  readonly workers: number | undefined;
  readonly kdf: Argon2BackendPreference;
  /** --server-timeout SECONDS */
  readonly serverTimeoutSeconds: number | undefined;
  /** --no-wait: leave when no rotation runs instead of waiting for one */
  readonly noWait: boolean;
  readonly oldPassword: PasswordSource;
  readonly newPassword: PasswordSource;
}

/** The commands that only exist for a distributed rotation. */
export type DistributedCommand = 'worker' | 'status' | 'cancel';

export function isDistributedCommand(command: CommandName): command is DistributedCommand {
  return command === 'worker' || command === 'status' || command === 'cancel';
}

const ONE_MACHINE =
  'a vault file (SQLite) is not distributed: only one machine can open it, so its rotation runs there';

/** A vault file given where a distributed rotation needs a database server. */
export function notDistributedError(command: CommandName, vaultPath: string): UsageError {
  const quoted = JSON.stringify(vaultPath).length > 80 ? 'FILE' : JSON.stringify(vaultPath);
  const instead =
    command === 'rotate'
      ? `drop --queue (vaultstore-admin rotate ${quoted} uses every core of this machine).`
      : command === 'worker'
        ? `run vaultstore-admin rotate ${quoted} on the machine that holds the file instead.`
        : `vaultstore-admin info ${quoted} shows an unfinished rotation of a file.`;
  return new UsageError(
    `${command}${command === 'rotate' ? ' --queue' : ''}: ${ONE_MACHINE} (distributed rotation is for a vault table in PostgreSQL or MySQL/MariaDB); ${instead}`,
    command,
  );
}

function requiredTable(values: Values, command: CommandName): string {
  const table = nonEmpty(values, 'table', command);
  if (table === undefined) {
    throw new UsageError(
      `"${command}" needs --table NAME: the vault table whose distributed rotation it ${command === 'worker' ? 'serves' : command === 'status' ? 'shows' : 'cancels'}.`,
      command,
    );
  }
  return table;
}

function queueArgs(values: Values, command: CommandName): QueueArgs {
  const url = nonEmpty(values, 'queue', command);
  if (url === undefined) {
    throw new UsageError(
      `"${command}" needs --queue URL: the Redis the coordinator (rotate --queue) uses, e.g. redis://host:6379.`,
      command,
    );
  }
  // No option: a Redis without a password (never a prompt: workers run unattended).
  const source = passwordSource(values, 'queue-password', command);
  return parseQueueArgs(
    url,
    source.kind === 'prompt' ? null : source,
    nonEmpty(values, 'queue-ca', command),
    command,
  );
}

function ledgerArgs(vault: VaultArguments, values: Values, command: CommandName): LedgerArgs {
  return {
    ...vault,
    table: requiredTable(values, command),
    ledgerSchema: nonEmpty(values, 'ledger-schema', command),
    json: flag(values, 'json'),
  };
}

export function statusArgs(vault: VaultArguments, values: Values): StatusArgs {
  return ledgerArgs(vault, values, 'status');
}

export function cancelArgs(vault: VaultArguments, values: Values): CancelArgs {
  return ledgerArgs(vault, values, 'cancel');
}

export function workerArgs(vault: VaultArguments, values: Values): WorkerArgs {
  return {
    ...ledgerArgs(vault, values, 'worker'),
    queue: queueArgs(values, 'worker'),
    workers: integerOption(values, 'workers', 1, MAX_WORKERS, 'worker'),
    kdf: choiceOption(values, 'kdf', KDF_CHOICES, 'worker'),
    serverTimeoutSeconds: integerOption(
      values,
      'server-timeout',
      1,
      MAX_SERVER_TIMEOUT_S,
      'worker',
    ),
    noWait: flag(values, 'no-wait'),
    oldPassword: passwordSource(values, 'old-password', 'worker'),
    newPassword: passwordSource(values, 'new-password', 'worker'),
  };
}

/** Options of rotate that need --queue. */
const QUEUE_ONLY = [
  'queue-password-env',
  'queue-password-file',
  'queue-ca',
  'no-local-worker',
  'shards',
  'keep-ledger',
  'ledger-schema',
] as const;

/** Options of rotate that mean nothing across machines, and why. */
const NOT_WITH_QUEUE: readonly (readonly [string, string])[] = [
  ['dry-run', 'a distributed rotation has no dry run: run rotate --dry-run without --queue'],
  [
    'allow-triggers',
    'a distributed rotation refuses a table with triggers (they would run on every rotated record): rotate it on one machine with --allow-triggers',
  ],
  [
    'checkpoint-dir',
    "a distributed rotation keeps its state in the database's ledger tables, not in a local folder (its default backup goes to the state folder; --backup PATH puts it elsewhere)",
  ],
  [
    'restart',
    'a distributed rotation cannot be discarded from here: vaultstore-admin cancel, then rotate --queue without --resume starts over',
  ],
];

/** rotate's --queue part: null without --queue (and the options that need it refused). */
export function distributedRotateArgs(values: Values): DistributedRotateArgs | null {
  if (values.queue === undefined) {
    const stray = QUEUE_ONLY.find((name) => values[name] !== undefined);
    if (stray !== undefined) {
      throw new UsageError(
        `--${stray} is for a distributed rotation: add --queue redis://host:6379 (or drop --${stray}).`,
        'rotate',
      );
    }
    return null;
  }
  for (const [name, why] of NOT_WITH_QUEUE) {
    if (values[name] !== undefined)
      throw new UsageError(`--${name} with --queue: ${why}.`, 'rotate');
  }
  const localWorker = !flag(values, 'no-local-worker');
  if (!localWorker && values.workers !== undefined) {
    throw new UsageError(
      '--workers sizes the worker of this machine, and --no-local-worker says there is none: give one of them.',
      'rotate',
    );
  }
  if (values.table === undefined) {
    throw new UsageError(
      'rotate --queue needs --table NAME: every worker names the same table (worker URL --table NAME).',
      'rotate',
    );
  }
  return {
    queue: queueArgs(values, 'rotate'),
    localWorker,
    shards: integerOption(values, 'shards', 1, 1_000_000, 'rotate'),
    keepLedger: flag(values, 'keep-ledger'),
    ledgerSchema: nonEmpty(values, 'ledger-schema', 'rotate'),
  };
}
