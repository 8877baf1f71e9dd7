/** Attaches the IPC router's handlers to ipcMain; returns a function that removes them. */
import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { INVOKE_CHANNELS } from '../../shared/ipc-contract.js';
import type { IpcHandler } from './ipc-router.js';
import type { SenderFrame } from '../shell/security.js';

/** A detached or destroyed frame has no trustworthy identity: null. */
export function frameIdentity(frame: WebFrameMain | null | undefined): SenderFrame | null {
  try {
    if (!frame || frame.isDestroyed()) return null;
    return { url: frame.url, processId: frame.processId, routingId: frame.routingId };
  } catch {
    return null;
  }
}

export function registerIpcHandlers(
  ipcMain: IpcMain,
  handlers: Record<string, IpcHandler>,
): () => void {
  for (const channel of INVOKE_CHANNELS) {
    const handler = handlers[channel];
    if (!handler) throw new Error(`No IPC handler for ${channel}.`);
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) =>
      handler(frameIdentity(event.senderFrame), args),
    );
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
