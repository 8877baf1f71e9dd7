/**
 * Installs `window.vaultAdmin` in a Playwright page, bridged to a real
 * VaultService in the test process: the same object the preload exposes,
 * with the same contract, but the calls cross a Playwright binding instead
 * of Electron IPC. Rotation events are pushed into the page in order.
 *
 * Only the native dialogs are stood in for: "Open vault…" answers with the
 * path the test chooses, and "Export report" saves into a folder of the test.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import type { VaultService } from '../../src/main/vault-service.js';
import type {
  ExportReportRequest,
  IpcResult,
  PreflightRequest,
  RotationEvent,
  RotationRequest,
  VaultAdminApi,
  VerifyRequest,
} from '../../src/shared/ipc-contract.js';

/** Runs in the page before its scripts; talks to the binding below. */
const PAGE_SIDE = `(() => {
  const listeners = new Set();
  const invoke = (method, ...args) => window.__vaultAdminInvoke(method, args);
  window.__vaultAdminPush = (event) => {
    for (const listener of [...listeners]) listener(event);
  };
  window.vaultAdmin = Object.freeze({
    openVaultDialog: () => invoke('openVaultDialog'),
    openVaultPath: (path) => invoke('openVaultPath', path),
    // A browser page has no file paths; Electron's webUtils.getPathForFile does.
    pathForDroppedFile: () => '',
    recentVaults: () => invoke('recentVaults'),
    preflight: (request) => invoke('preflight', request),
    startRotation: (request) => invoke('startRotation', request),
    cancelRotation: (jobId) => invoke('cancelRotation', jobId),
    verify: (request) => invoke('verify', request),
    exportReport: (request) => invoke('exportReport', request),
    onRotationEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
})();`;

type InvokeMethod = Exclude<keyof VaultAdminApi, 'pathForDroppedFile' | 'onRotationEvent'>;

export interface BridgeOptions {
  /** what the "native open dialog" picks (null: the user cancelled it) */
  pickVault(): string | null;
  /** where "Export report" saves */
  exportDir: string;
}

export interface VaultAdminBridge {
  /** every event the service emitted, in order */
  readonly events: RotationEvent[];
  /** method names called by the page, in order (never their arguments: they hold passwords) */
  readonly calls: string[];
  /** stops relaying events */
  dispose(): void;
}

export async function installVaultAdminBridge(
  page: Page,
  service: VaultService,
  options: BridgeOptions,
): Promise<VaultAdminBridge> {
  const events: RotationEvent[] = [];
  const calls: string[] = [];

  const handlers: Record<InvokeMethod, (args: unknown[]) => Promise<IpcResult<unknown>>> = {
    openVaultDialog: async () => {
      const path = options.pickVault();
      return path === null ? { ok: true, value: null } : service.openVaultPath(path);
    },
    openVaultPath: (args) => service.openVaultPath(args[0] as string),
    recentVaults: () => service.recentVaults(),
    preflight: (args) => service.preflight(args[0] as PreflightRequest),
    startRotation: (args) => service.startRotation(args[0] as RotationRequest),
    cancelRotation: (args) => service.cancelRotation(args[0] as string),
    verify: (args) => service.verify(args[0] as VerifyRequest),
    exportReport: async (args) => {
      const request = args[0] as ExportReportRequest;
      const path = join(options.exportDir, basename(request.suggestedName));
      writeFileSync(path, request.contents);
      return { ok: true, value: path };
    },
  };

  await page.exposeBinding(
    '__vaultAdminInvoke',
    async (_source, method: string, args: unknown[]) => {
      const handler = handlers[method as InvokeMethod];
      if (!handler)
        return { ok: false, error: { code: 'INTERNAL', message: `No such call: ${method}` } };
      calls.push(method);
      return handler(args);
    },
  );
  await page.addInitScript(PAGE_SIDE);

  // One evaluate at a time keeps the events in the order they were emitted.
  let delivery = Promise.resolve();
  const unsubscribe = service.onRotationEvent((event) => {
    events.push(event);
    delivery = delivery
      .then(() => page.evaluate(`window.__vaultAdminPush(${JSON.stringify(event)})`))
      .then(
        () => undefined,
        () => undefined, // the page may be closing
      );
  });

  return { events, calls, dispose: unsubscribe };
}
