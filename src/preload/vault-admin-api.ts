/**
 * Builds the one object the preload exposes as `window.vaultAdmin`. Takes the
 * two Electron pieces it needs as parameters (type-only import), so the
 * object can be built and inspected without Electron.
 */
import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import { IPC_CHANNELS, type RotationEvent, type VaultAdminApi } from '../shared/ipc-contract.js';
import { DROPPED_WITHOUT_PATH } from '../shared/ipc-validation.js';

export type InvokeOnly = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;
export type PathForFile = Pick<WebUtils, 'getPathForFile'>;

export function createVaultAdminApi(ipc: InvokeOnly, webUtils: PathForFile): VaultAdminApi {
  const api: VaultAdminApi = {
    openVaultDialog: () => ipc.invoke(IPC_CHANNELS.openVaultDialog),
    openVault: (handle) => ipc.invoke(IPC_CHANNELS.openVault, handle),
    // The path is read here, from a File the browser made for a real drop: the page cannot name one.
    openDroppedFile: async (file) => {
      const path = webUtils.getPathForFile(file);
      if (!path) return { ok: false, error: DROPPED_WITHOUT_PATH };
      return ipc.invoke(IPC_CHANNELS.openDroppedVault, path);
    },
    recentVaults: () => ipc.invoke(IPC_CHANNELS.recentVaults),
    preflight: (request) => ipc.invoke(IPC_CHANNELS.preflight, request),
    startRotation: (request) => ipc.invoke(IPC_CHANNELS.startRotation, request),
    cancelRotation: (jobId) => ipc.invoke(IPC_CHANNELS.cancelRotation, jobId),
    verify: (request) => ipc.invoke(IPC_CHANNELS.verify, request),
    cancelVaultJob: (request) => ipc.invoke(IPC_CHANNELS.cancelVaultJob, request),
    exportReport: (request) => ipc.invoke(IPC_CHANNELS.exportReport, request),
    onRotationEvent: (listener) => {
      // The renderer gets the event data only, never Electron's event object (it holds the sender).
      const relay = (_event: IpcRendererEvent, payload: RotationEvent): void => listener(payload);
      ipc.on(IPC_CHANNELS.rotationEvent, relay);
      return () => {
        ipc.removeListener(IPC_CHANNELS.rotationEvent, relay);
      };
    },
  };
  return Object.freeze(api);
}
