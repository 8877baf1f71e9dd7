/**
 * Builds the one object the preload exposes as `window.vaultAdmin`, from the
 * contract's table: one method per IPC_METHODS entry (sending its arguments
 * on its channel) plus onJobEvent. Takes the two Electron pieces it
 * needs as parameters (type-only import), so the object can be built and
 * inspected without Electron.
 */
import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import {
  IPC_EVENTS,
  IPC_METHOD_NAMES,
  IPC_METHODS,
  type IpcMethodName,
  type IpcResult,
  type JobEvent,
  type PageArguments,
  type VaultAdminApi,
  type VaultSummary,
} from '../shared/ipc-contract.js';
import { DROPPED_WITHOUT_PATH } from '../shared/ipc-validation.js';

export type InvokeOnly = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;
export type PathForFile = Pick<WebUtils, 'getPathForFile'>;

type Invoke = (...args: unknown[]) => Promise<IpcResult<unknown>>;

/** The calls whose page arguments the preload turns into what crosses IPC. */
function pageAdapters(
  send: (name: IpcMethodName, args: unknown[]) => Promise<IpcResult<unknown>>,
  webUtils: PathForFile,
): { [M in keyof PageArguments]: (...args: PageArguments[M]) => Promise<IpcResult<unknown>> } {
  return {
    // The path is read here, from a File the browser made for a real drop: the page cannot name one.
    openDroppedFile: async (file) => {
      const path = webUtils.getPathForFile(file);
      if (!path) return { ok: false, error: DROPPED_WITHOUT_PATH };
      return send('openDroppedFile', [path]);
    },
  };
}

export function createVaultAdminApi(ipc: InvokeOnly, webUtils: PathForFile): VaultAdminApi {
  const send = (name: IpcMethodName, args: unknown[]): Promise<IpcResult<unknown>> =>
    ipc.invoke(IPC_METHODS[name].channel, ...args) as Promise<IpcResult<unknown>>;
  const adapters = pageAdapters(send, webUtils) as Record<string, Invoke>;
  const api: Record<string, unknown> = {};
  for (const name of IPC_METHOD_NAMES) {
    // Only the caller's arguments cross, never anything of the preload's.
    api[name] = adapters[name] ?? ((...args: unknown[]) => send(name, args));
  }
  api.onJobEvent = (listener: (event: JobEvent) => void) => {
    // The renderer gets the event data only, never Electron's event object (it holds the sender).
    const relay = (_event: IpcRendererEvent, payload: JobEvent): void => listener(payload);
    ipc.on(IPC_EVENTS.jobEvent, relay);
    return () => {
      ipc.removeListener(IPC_EVENTS.jobEvent, relay);
    };
  };
  api.onVaultOpened = (listener: (summary: VaultSummary) => void) => {
    const relay = (_event: IpcRendererEvent, payload: VaultSummary): void => listener(payload);
    ipc.on(IPC_EVENTS.vaultOpened, relay);
    return () => {
      ipc.removeListener(IPC_EVENTS.vaultOpened, relay);
    };
  };
  return Object.freeze(api) as VaultAdminApi;
}
