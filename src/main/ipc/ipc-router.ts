/**
 * What each IPC channel does, without Electron: check the sender, validate
 * the arguments (both here, once, for every call of IPC_METHODS), then call
 * VaultService (or a dialog). ipc.ts only attaches these handlers to ipcMain,
 * so tests and the e2e bridge drive them with real services.
 */
import { writePrivateFileAtomically } from '../../engine/index.js';
import {
  IPC_METHOD_NAMES,
  IPC_METHODS,
  validateIpcArguments,
  type ExportReportRequest,
  type InvokeChannel,
  type IpcImplementation,
  type IpcMethodName,
  type IpcResult,
  type VaultSummary,
} from '../../shared/ipc-contract.js';
import { validateVaultPath } from '../../shared/ipc-validation.js';
import { ipcError, toIpcError } from '../common/ipc-errors.js';
import type { SenderFrame } from '../shell/security.js';
import type { VaultService } from '../host/vault-service.js';

export interface NativeDialogs {
  /** absolute path of the chosen vault file, or null when cancelled */
  chooseVaultFile(): Promise<string | null>;
  /** absolute path to save the report to, or null when cancelled */
  chooseReportDestination(request: ExportReportRequest): Promise<string | null>;
  /**
   * Absolute path of a CA certificate file for a database connection, or null when cancelled.
   * Optional for harnesses that never connect to a server (then the call answers null).
   */
  chooseCaFile?(): Promise<string | null>;
}

export interface IpcRouterDeps {
  readonly service: VaultService;
  readonly dialogs: NativeDialogs;
  /** see security.ts isTrustedSender */
  readonly isTrustedSender: (sender: SenderFrame | null) => boolean;
  /** a vault was opened (window title, recent documents) */
  readonly onVaultOpened?: (summary: VaultSummary) => void;
  /** where refused calls are reported (default console.warn); never receives arguments */
  readonly warn?: (message: string) => void;
}

export type IpcHandler = (
  sender: SenderFrame | null,
  args: readonly unknown[],
) => Promise<IpcResult<unknown>>;

export class UntrustedSenderError extends Error {
  constructor(channel: string) {
    super(`Refused ${channel}: the message did not come from the app's own page.`);
    this.name = 'UntrustedSenderError';
  }
}

/** The calls the shell serves itself (dialogs, files, window title); every other one is VaultService's. */
type ShellServed =
  | 'openVaultDialog'
  | 'openDroppedFile'
  | 'openVault'
  | 'connectDatabase'
  | 'chooseCaFile'
  | 'exportReport';
/** The distributed rotation's calls: VaultService.distributed serves them. */
type DistributedServed =
  | 'checkDistributed'
  | 'startDistributedRotation'
  | 'distributedStatus'
  | 'cancelDistributed'
  | 'recentQueues';
/** tsc fails here if VaultService lacks a method of the table (or its signature differs). */
type ServiceServed = Pick<
  IpcImplementation,
  Exclude<IpcMethodName, ShellServed | DistributedServed>
>;
type OwnServed = ShellServed | DistributedServed;

export function createIpcRouter(deps: IpcRouterDeps): Record<InvokeChannel, IpcHandler> {
  const { service, dialogs } = deps;
  const warn = deps.warn ?? ((message: string) => console.warn(message));

  const opened = (result: IpcResult<VaultSummary>): IpcResult<VaultSummary> => {
    if (result.ok) deps.onVaultOpened?.(result.value);
    return result;
  };

  const served: ServiceServed = service;
  const shell: Pick<IpcImplementation, ShellServed> = {
    // The only ways a path becomes a vault handle: the user picked it in main's dialog, or
    // dropped it (the preload turns the dropped File into its path; the page never sees one).
    openVaultDialog: async () => {
      const path = await dialogs.chooseVaultFile();
      if (path === null) return { ok: true, value: null };
      return opened(await service.openChosenPath(path));
    },
    openDroppedFile: async (path) => opened(await service.openChosenPath(path)),
    openVault: async (handle) => opened(await service.openVault(handle)),
    connectDatabase: async (request) => opened(await service.connectDatabase(request)),
    chooseCaFile: async () => {
      const path = (await dialogs.chooseCaFile?.()) ?? null;
      if (path === null) return { ok: true, value: null };
      // The same rules as a path the page could type (absolute, local).
      return validateVaultPath(path);
    },
    exportReport: async (request) => {
      const destination = await dialogs.chooseReportDestination(request);
      if (destination === null) return { ok: true, value: null };
      try {
        // Private (0600) and atomic; the user confirmed replacing the name they chose, so a link
        // there is replaced by the report, never written through.
        writePrivateFileAtomically(destination, request.contents);
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? toIpcError(error).message;
        return {
          ok: false,
          error: ipcError(
            'IO',
            `The report could not be saved to ${destination} (${reason}). Choose another folder or name.`,
          ),
        };
      }
      return { ok: true, value: destination };
    },
  };

  const jobs = service.distributed;
  const distributed: Pick<IpcImplementation, DistributedServed> = {
    checkDistributed: (request, jobId) => jobs.check(request, jobId),
    startDistributedRotation: async (request, jobId) => jobs.start(request, jobId),
    distributedStatus: (request) => jobs.status(request),
    cancelDistributed: (request) => jobs.cancel(request),
    recentQueues: async () => jobs.recentQueues(),
  };
  const own: Pick<IpcImplementation, OwnServed> = { ...shell, ...distributed };

  const implementationOf = (
    name: IpcMethodName,
  ): ((...args: unknown[]) => Promise<IpcResult<unknown>>) => {
    const mine = Object.hasOwn(own, name) ? own[name as OwnServed] : undefined;
    const action = mine ?? served[name as Exclude<IpcMethodName, OwnServed>].bind(service);
    return action as (...args: unknown[]) => Promise<IpcResult<unknown>>;
  };

  const handlers = {} as Record<InvokeChannel, IpcHandler>;
  for (const name of IPC_METHOD_NAMES) {
    const { channel } = IPC_METHODS[name];
    const action = implementationOf(name);
    handlers[channel] = async (sender, args) => {
      if (!deps.isTrustedSender(sender)) {
        warn(`[ipc] refused ${channel} from an unknown sender (${sender?.url ?? 'no frame'})`);
        throw new UntrustedSenderError(channel);
      }
      const validated = validateIpcArguments(name, args);
      if (!validated.ok) return validated;
      try {
        return await action(...validated.value);
      } catch (error) {
        return { ok: false, error: toIpcError(error) };
      }
    };
  }
  return handlers;
}
