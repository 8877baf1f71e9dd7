/**
 * The one contract between renderer, preload and main: the request / result
 * types (declared in ipc-types.ts, re-exported here), and IPC_METHODS, the one table of calls (method -> channel, argument
 * schema, result type). The preload object, main's handler registration and
 * the renderer's VaultAdminApi type are all derived from that table, so a new
 * call is one entry here plus the VaultService method that serves it.
 * Nothing here may need Node: the renderer imports it (types only) too.
 */
import type { Argon2Config } from '../core/argon2.js';
import type {
  PreflightProgress,
  PreflightResult,
  RotationProgress,
  RotationResult,
  UnfinishedRotation,
  VaultTableInfo,
  VerifyProgress,
  VerifyResult,
} from '../core/types.js';
import type {
  ConnectionTestResult,
  IpcError,
  IpcResult,
  JobEvent,
  RecentVault,
  ServerConnection,
  VaultSummary,
} from './ipc-types.js';
import type {
  DistributedCheckResult,
  DistributedStatus,
  QueueConnection,
} from './ipc-distributed-types.js';
import {
  checkDistributedCheckRequest,
  checkDistributedRotationRequest,
  checkDistributedTableRequest,
} from './ipc-distributed-validation.js';

import {
  argsOf,
  checkExportReportRequest,
  checkJobId,
  checkPreflightRequest,
  checkRotationRequest,
  checkServerConnectionRequest,
  checkVaultHandle,
  checkVaultPath,
  checkVerifyRequest,
  validateArguments,
  type ArgsSchema,
} from './ipc-validation.js';

export type {
  Argon2Config,
  PreflightProgress,
  PreflightResult,
  RotationProgress,
  RotationResult,
  UnfinishedRotation,
  VerifyProgress,
  VerifyResult,
  VaultTableInfo,
};

export type * from './ipc-types.js';
export type * from './ipc-distributed-types.js';
export { isRotationEvent } from './ipc-types.js';
export { isDistributedResult } from './ipc-distributed-types.js';

/** A result type carried by the table for the type system only (no runtime value). */
export interface ResultType<T> {
  readonly __result?: T;
}
const answers = <T>(): ResultType<T> => ({});

interface IpcMethodSpec<C extends string, A extends readonly unknown[], R> {
  readonly channel: C;
  /** validates the raw argument list in main, once, before anything runs */
  readonly args: ArgsSchema<A>;
  readonly result: ResultType<R>;
}

/** One finished rotation in the local audit log (main's data folder, JSON lines, 0600). */
export interface AuditEntry {
  /** ISO times */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** the vault's display path: a file path, or a server's connection string (never with a password) */
  readonly vault: string;
  readonly table: string;
  /** the result's status, or 'error' when the job failed */
  readonly outcome: RotationResult['status'] | 'error';
  readonly dryRun: boolean;
  readonly resume: boolean;
  /** null when the job failed before counting */
  readonly counts: {
    readonly scanned: number;
    readonly rotated: number;
    readonly skipped: number;
    readonly failed: number;
  } | null;
  readonly backupPath: string | null;
  /** the engine's code and message when outcome is 'error' */
  readonly error: IpcError | null;
  /** a distributed rotation this app coordinated (absent: one on this machine) */
  readonly distributed?: AuditDistributed;
}

/** What the audit log keeps of a distributed rotation: where its queue was, who worked (no secret). */
export interface AuditDistributed {
  /** the Redis queue as scheme://[user@]host:port/db (never a password) */
  readonly queue: string;
  /** whether this machine served shards too */
  readonly workHere: boolean;
  /** null when the job failed before it had a rotation id */
  readonly rotation: string | null;
  readonly shards: number | null;
  readonly sweepRounds: number | null;
  /** the workers that joined: host, records rotated, state at the end */
  readonly workers: readonly { host: string; records: number; state: string }[];
}

const method = <const C extends string, A extends readonly unknown[], R>(
  spec: IpcMethodSpec<C, A, R>,
): IpcMethodSpec<C, A, R> => spec;

/**
 * Every renderer -> main call. The renderer calls `window.vaultAdmin[name](...args)`;
 * main checks the sender, validates `args`, then runs the handler (the VaultService
 * method of the same name unless the router says otherwise).
 */
export const IPC_METHODS = {
  /** main's open dialog; null when the user cancelled it */
  openVaultDialog: method({
    channel: 'vault:open-dialog',
    args: argsOf(),
    result: answers<VaultSummary | null>(),
  }),
  /** a vault the user chose earlier (dialog, drop, recent list), by handle */
  openVault: method({
    channel: 'vault:open',
    args: argsOf(checkVaultHandle),
    result: answers<VaultSummary>(),
  }),
  /**
   * A File dropped on the window. The page passes the File; the preload sends the path Electron
   * gives for it (see PageArguments), so the location never passes through the page.
   */
  openDroppedFile: method({
    channel: 'vault:open-dropped',
    args: argsOf(checkVaultPath),
    result: answers<VaultSummary>(),
  }),
  recentVaults: method({
    channel: 'vault:recent',
    args: argsOf(),
    result: answers<RecentVault[]>(),
  }),
  /**
   * Connects read-only to a vault in a database server, lists its vault tables and disconnects;
   * keeps nothing (the password is zeroed when the answer is made).
   */
  testConnection: method({
    channel: 'server:test',
    args: argsOf(checkServerConnectionRequest),
    result: answers<ConnectionTestResult>(),
  }),
  /**
   * Opens a vault in a database server as a handle (like a chosen file): main keeps the password
   * bytes for that handle, in memory only, and gives them to every job on it until closeVault.
   */
  connectDatabase: method({
    channel: 'server:connect',
    args: argsOf(checkServerConnectionRequest),
    result: answers<VaultSummary>(),
  }),
  /** connections opened before, newest first, never with a password */
  recentConnections: method({
    channel: 'server:recent',
    args: argsOf(),
    result: answers<ServerConnection[]>(),
  }),
  /** main's file dialog for a CA certificate; null when the user cancelled it */
  chooseCaFile: method({
    channel: 'server:choose-ca-file',
    args: argsOf(),
    result: answers<string | null>(),
  }),
  /** The page left a vault: main forgets (and zeroes) the database password it held for it. */
  closeVault: method({
    channel: 'vault:close',
    args: argsOf(checkVaultHandle),
    result: answers<null>(),
  }),
  /**
   * Job ids are the renderer's crypto.randomUUID(), sent before any event can arrive;
   * main refuses one it has seen before. A pre-flight or verify answers its call with
   * the result and streams its progress as JobEvents meanwhile.
   */
  preflight: method({
    channel: 'rotation:preflight',
    args: argsOf(checkPreflightRequest, checkJobId),
    result: answers<PreflightResult>(),
  }),
  /** answers at once; progress, then the result or an error, follow as JobEvents */
  startRotation: method({
    channel: 'rotation:start',
    args: argsOf(checkRotationRequest, checkJobId),
    result: answers<{ jobId: string }>(),
  }),
  verify: method({
    channel: 'vault:verify',
    args: argsOf(checkVerifyRequest, checkJobId),
    result: answers<VerifyResult>(),
  }),
  /**
   * Asks any job (rotation, pre-flight, verify) to stop after the work in progress: a rotation
   * then ends "cancelled", a check answers with `cancelled: true`. A job that already ended
   * (or never existed) is not an error.
   */
  cancelJob: method({
    channel: 'job:cancel',
    args: argsOf(checkJobId),
    result: answers<null>(),
  }),
  /**
   * "Use other machines too": the distributed checks of a server vault's table beside the
   * pre-flight: Redis answers (PING, with the form's password), the ledger exists or this login
   * may create it (nothing is created), and the table's unfinished distributed rotation, if any.
   * Failures: QUEUE_UNREACHABLE, QUEUE_AUTH, LEDGER_PERMISSION, DISTRIBUTED_SQLITE. `jobId`
   * names the check (cancelJob stops it).
   */
  checkDistributed: method({
    channel: 'distributed:check',
    args: argsOf(checkDistributedCheckRequest, checkJobId),
    result: answers<DistributedCheckResult>(),
  }),
  /**
   * Coordinates a distributed rotation of a server vault's table (this machine serves shards
   * too when `workHere`); answers at once. JobEvents follow: 'distributed-progress' about once
   * a second (read from the ledger), then 'result' (a DistributedResult) or 'error'. cancelJob
   * cancels it for every worker; `resume: true` continues the table's cancelled one.
   */
  startDistributedRotation: method({
    channel: 'distributed:start',
    args: argsOf(checkDistributedRotationRequest, checkJobId),
    result: answers<{ jobId: string }>(),
  }),
  /**
   * The table's running or unfinished distributed rotation (to re-attach to on reopening),
   * else its latest kept one; null when the ledger holds none. Reads the ledger only.
   */
  distributedStatus: method({
    channel: 'distributed:status',
    args: argsOf(checkDistributedTableRequest),
    result: answers<DistributedStatus | null>(),
  }),
  /**
   * Marks the table's running distributed rotation cancelled in the ledger, whoever coordinates
   * it: every worker stops within about a second, committed batches stay. Answers its status
   * after (null: the ledger holds none).
   */
  cancelDistributed: method({
    channel: 'distributed:cancel',
    args: argsOf(checkDistributedTableRequest),
    result: answers<DistributedStatus | null>(),
  }),
  /** queues used before, newest first, never with a password */
  recentQueues: method({
    channel: 'distributed:recent-queues',
    args: argsOf(),
    result: answers<QueueConnection[]>(),
  }),
  /** the local audit log of rotations, newest first (never a secret) */
  auditLog: method({
    channel: 'audit:list',
    args: argsOf(),
    result: answers<AuditEntry[]>(),
  }),
  /** asks where to save; null when the user cancelled the dialog */
  exportReport: method({
    channel: 'report:export',
    args: argsOf(checkExportReportRequest),
    result: answers<string | null>(),
  }),
} as const;

/** main -> renderer pushes (not calls: nothing answers them). */
export const IPC_EVENTS = {
  jobEvent: 'job:event',
  /** a vault main opened because the OS or the command line named it */
  vaultOpened: 'vault:opened-by-launch',
} as const;

type Methods = typeof IPC_METHODS;
export type IpcMethodName = keyof Methods;
/** The validated arguments of a call, as main's handler receives them. */
export type IpcArgs<M extends IpcMethodName> = ReturnType<Methods[M]['args']>;
export type IpcReturn<M extends IpcMethodName> =
  Methods[M]['result'] extends ResultType<infer R> ? R : never;

/** What serves each call in main (the router's handlers before the sender check and validation). */
export type IpcImplementation = {
  [M in IpcMethodName]: (...args: IpcArgs<M>) => Promise<IpcResult<IpcReturn<M>>>;
};

/** Calls whose page-side arguments differ from what crosses IPC (the preload converts them). */
export interface PageArguments {
  openDroppedFile: [file: File];
}

type PageArgs<M extends IpcMethodName> = M extends keyof PageArguments
  ? PageArguments[M]
  : IpcArgs<M>;

/** What the preload exposes as `window.vaultAdmin` (and nothing else). */
export type VaultAdminApi = {
  readonly [M in IpcMethodName]: (...args: PageArgs<M>) => Promise<IpcResult<IpcReturn<M>>>;
} & {
  /** events of every job; returns the unsubscribe function */
  onJobEvent(listener: (event: JobEvent) => void): () => void;
  /** vaults opened from the command line or handed to the running app; returns the unsubscribe function */
  onVaultOpened(listener: (summary: VaultSummary) => void): () => void;
};

/** Channel names, derived from the table (plus the push channel). */
export const IPC_CHANNELS = {
  ...(Object.fromEntries(
    Object.entries(IPC_METHODS).map(([name, spec]) => [name, spec.channel]),
  ) as { readonly [M in IpcMethodName]: Methods[M]['channel'] }),
  ...IPC_EVENTS,
};

export type InvokeChannel = Methods[IpcMethodName]['channel'];

export const IPC_METHOD_NAMES = Object.keys(IPC_METHODS) as IpcMethodName[];
export const INVOKE_CHANNELS: InvokeChannel[] = IPC_METHOD_NAMES.map(
  (name) => IPC_METHODS[name].channel,
);

const METHOD_OF_CHANNEL = new Map<string, IpcMethodName>(
  IPC_METHOD_NAMES.map((name) => [IPC_METHODS[name].channel, name]),
);

/** The method behind a channel, or null for anything that is not an invoke channel. */
export function methodOfChannel(channel: string): IpcMethodName | null {
  return METHOD_OF_CHANNEL.get(channel) ?? null;
}

export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return METHOD_OF_CHANNEL.has(channel);
}

/** Validates the whole argument list of one invoke call (count included). */
export function validateIpcArguments<M extends IpcMethodName>(
  name: M,
  args: readonly unknown[],
): IpcResult<IpcArgs<M>> {
  const spec = IPC_METHODS[name];
  return validateArguments(spec.args as ArgsSchema<IpcArgs<M>>, args, spec.channel);
}
