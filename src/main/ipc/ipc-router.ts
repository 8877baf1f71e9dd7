/**
 * What each IPC channel does, without Electron: check the sender, validate
 * the arguments, call VaultService (or a dialog). ipc.ts only attaches these
 * handlers to ipcMain, so tests can drive them with real services.
 */
import { writePrivateFileAtomically } from '../../engine/index.js';
import {
  IPC_CHANNELS,
  type ExportReportRequest,
  type IpcResult,
  type VaultSummary,
} from '../../shared/ipc-contract.js';
import {
  INVOKE_CHANNELS,
  validateIpcArguments,
  type InvokeChannel,
  type IpcArgumentMap,
} from '../../shared/ipc-validation.js';
import { ipcError, toIpcError } from './ipc-errors.js';
import type { SenderFrame } from '../shell/security.js';
import type { VaultService } from '../host/vault-service.js';

export interface NativeDialogs {
  /** absolute path of the chosen vault file, or null when cancelled */
  chooseVaultFile(): Promise<string | null>;
  /** absolute path to save the report to, or null when cancelled */
  chooseReportDestination(request: ExportReportRequest): Promise<string | null>;
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

export function createIpcRouter(deps: IpcRouterDeps): Record<InvokeChannel, IpcHandler> {
  const { service, dialogs } = deps;
  const warn = deps.warn ?? ((message: string) => console.warn(message));

  const opened = (result: IpcResult<VaultSummary>): IpcResult<VaultSummary> => {
    if (result.ok) deps.onVaultOpened?.(result.value);
    return result;
  };

  const actions: {
    [C in InvokeChannel]: (...args: IpcArgumentMap[C]) => Promise<IpcResult<unknown>>;
  } = {
    // The only ways a path becomes a vault handle: the user picked it in main's dialog, or
    // dropped it (the preload turns the dropped File into its path; the page never sees one).
    [IPC_CHANNELS.openVaultDialog]: async () => {
      const path = await dialogs.chooseVaultFile();
      if (path === null) return { ok: true, value: null };
      return opened(await service.openChosenPath(path));
    },
    [IPC_CHANNELS.openDroppedVault]: async (path) => opened(await service.openChosenPath(path)),
    [IPC_CHANNELS.openVault]: async (handle) => opened(await service.openVault(handle)),
    [IPC_CHANNELS.recentVaults]: () => service.recentVaults(),
    [IPC_CHANNELS.preflight]: (request) => service.preflight(request),
    [IPC_CHANNELS.startRotation]: (request) => service.startRotation(request),
    [IPC_CHANNELS.cancelRotation]: (jobId) => service.cancelRotation(jobId),
    [IPC_CHANNELS.verify]: (request) => service.verify(request),
    [IPC_CHANNELS.cancelVaultJob]: (request) => service.cancelVaultJob(request),
    [IPC_CHANNELS.exportReport]: async (request) => {
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

  const handlers = {} as Record<InvokeChannel, IpcHandler>;
  for (const channel of INVOKE_CHANNELS) {
    handlers[channel] = async (sender, args) => {
      if (!deps.isTrustedSender(sender)) {
        warn(`[ipc] refused ${channel} from an unknown sender (${sender?.url ?? 'no frame'})`);
        throw new UntrustedSenderError(channel);
      }
      const validated = validateIpcArguments(channel, args);
      if (!validated.ok) return validated;
      try {
        const action = actions[channel] as (...args: unknown[]) => Promise<IpcResult<unknown>>;
        return await action(...validated.value);
      } catch (error) {
        return { ok: false, error: toIpcError(error) };
      }
    };
  }
  return handlers;
}
