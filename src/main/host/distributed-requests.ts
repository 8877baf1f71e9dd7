/**
 * What the distributed jobs ask their engine host to do (issue 19), as
 * job-requests.ts does for the others: the IPC request, the app's engine
 * settings and the chosen vault become one HostRequest. The passwords (old,
 * new, Redis's; the database's is added by VaultService) are handed over by
 * host-passwords.ts, transferred to the thread and zeroed here.
 */
import { availableParallelism } from 'node:os';
import {
  defaultBackupPath,
  parseQueueUrl,
  rotationStateBase,
  validateRotationInput,
  type DistributedTarget,
  type QueueChoice,
} from '../../engine/index.js';
import type {
  DistributedCheckRequest,
  DistributedRotationRequest,
  QueueConnection,
} from '../../shared/ipc-contract.js';
import type { HostRequest } from './engine-host-protocol.js';
import type { HandedPasswords } from './host-passwords.js';
import { argon2ConfigOf, type EngineSettings, type JobPlan } from './job-requests.js';

type Request<T extends HostRequest['type']> = Extract<HostRequest, { type: T }>;

/** The queue's password slot: '' (none) is no password at all, not an empty one. */
const queuePasswordOf = (queue: { password: string }): string | undefined =>
  queue.password === '' ? undefined : queue.password;

/** The table of a server vault, opened with the database password handed over. */
export function distributedTarget(
  vaultPath: string,
  table: string,
  server: HandedPasswords<[]>['server'],
): DistributedTarget {
  return { vaultPath, table, open: { ...server } };
}

/** No name: the engine names the table's queue as every `worker` of it does (queueName). */
function queueChoice(queue: QueueConnection, password: Uint8Array | undefined): QueueChoice {
  return {
    url: queue.url,
    ...(password && { password }),
    ...(queue.caFile !== null && { caFile: queue.caFile }),
  };
}

/** The queue as the audit log and messages show it: scheme, user, host, port, db. */
export function queueDisplay(queue: QueueConnection): string {
  return parseQueueUrl(queue.url).display;
}

export function distributedCheckPlan(
  request: DistributedCheckRequest,
): JobPlan<[string | undefined], Request<'distributed-check'>> {
  return {
    kind: 'distributed-check',
    passwords: [queuePasswordOf(request.queue)],
    request: (vaultPath, { vault: [queuePassword], server }) => ({
      type: 'distributed-check',
      options: {
        target: distributedTarget(vaultPath, request.table, server),
        queue: queueChoice(request.queue, queuePassword),
      },
    }),
  };
}

/** Crypto threads this machine gives the rotation: the app's pool size, or none (it only coordinates). */
export function localWorkersOf(workHere: boolean, settings: EngineSettings): number {
  return workHere ? (settings.workers ?? availableParallelism()) : 0;
}

/**
 * A distributed rotation coordinated by the app. Input mistakes (same password, Argon2id limits,
 * policy) are refused while the request is built, before any thread starts. The backup, when
 * asked for, is a file in the state folder, as the CLI's `rotate --queue` makes it.
 */
export function coordinatePlan(
  r: DistributedRotationRequest,
  settings: EngineSettings,
): JobPlan<[string, string, string | undefined], Request<'coordinate'>> {
  return {
    kind: 'coordinate',
    passwords: [r.oldPassword, r.newPassword, queuePasswordOf(r.queue)],
    request: (vaultPath, { vault: [oldPassword, newPassword, queuePassword], server }) => {
      const openConfig = argon2ConfigOf(r.crypto);
      const writeConfig = r.newCrypto ? argon2ConfigOf(r.newCrypto) : undefined;
      validateRotationInput({
        oldPassword,
        newPassword,
        openConfig,
        writeConfig,
        newPasswordPolicy: r.newPasswordPolicy,
      });
      const backupPath = r.backup
        ? defaultBackupPath(
            rotationStateBase(vaultPath, r.table, settings.checkpointDir).base,
            new Date(),
          )
        : undefined;
      return {
        type: 'coordinate',
        options: {
          target: distributedTarget(vaultPath, r.table, server),
          queue: queueChoice(r.queue, queuePassword),
          oldPassword,
          newPassword,
          crypto: {
            openConfig,
            writeConfig,
            kdfBackend: settings.kdfBackend,
            scanAnyway: r.scanAnyway ?? false,
          },
          localWorkers: localWorkersOf(r.workHere, settings),
          backupPath,
          resume: r.resume,
          includeSoftDeleted: r.includeSoftDeleted,
          batchSize: settings.batchSize,
        },
      };
    },
  };
}
