/**
 * Installs `window.vaultAdmin` in a Playwright page, bridged to a real
 * VaultService in the test process through main's own IPC router
 * (createIpcRouter): the same object the preload exposes, with the same
 * contract, the same argument validation and handle checks, but the calls
 * cross a Playwright binding instead of Electron IPC. Job events are
 * pushed into the page in order.
 *
 * Only the native dialogs are stood in for: "Open vault…" answers with the
 * path the test chooses, and "Export report" saves into a folder of the test.
 */
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { APP_INDEX_URL } from '../../src/main/shell/app-protocol.js';
import { createIpcRouter } from '../../src/main/ipc/ipc-router.js';
import type { VaultService } from '../../src/main/host/vault-service.js';
import {
  IPC_METHOD_NAMES,
  IPC_METHODS,
  type IpcMethodName,
  type IpcResult,
  type JobEvent,
} from '../../src/shared/ipc-contract.js';
import { DROPPED_WITHOUT_PATH } from '../../src/shared/ipc-validation.js';

/** Runs in the page before its scripts; talks to the binding below. One method per contract entry. */
const PAGE_SIDE = `(() => {
  const listeners = new Set();
  const api = {};
  for (const method of ${JSON.stringify(IPC_METHOD_NAMES)}) {
    api[method] = (...args) => window.__vaultAdminInvoke(method, args);
  }
  // A browser page has no file paths (Electron's preload reads them with webUtils).
  api.openDroppedFile = () => window.__vaultAdminInvoke('openDroppedFile', []);
  api.onJobEvent = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  // Launch-time vaults come from Electron's command line: none in a browser page.
  api.onVaultOpened = () => () => undefined;
  window.__vaultAdminPush = (event) => {
    for (const listener of [...listeners]) listener(event);
  };
  window.vaultAdmin = Object.freeze(api);
})();`;

export interface BridgeOptions {
  /** what the "native open dialog" picks (null: the user cancelled it) */
  pickVault(): string | null;
  /** where "Export report" saves */
  exportDir: string;
}

export interface VaultAdminBridge {
  /** every event the service emitted, in order */
  readonly events: JobEvent[];
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
  const events: JobEvent[] = [];
  const calls: string[] = [];

  const router = createIpcRouter({
    service,
    dialogs: {
      chooseVaultFile: async () => options.pickVault(),
      chooseReportDestination: async (request) =>
        join(options.exportDir, basename(request.suggestedName)),
    },
    // The page is ours; Electron's sender check is tested in test/main.
    isTrustedSender: () => true,
  });
  const sender = { url: APP_INDEX_URL, processId: 1, routingId: 1 };
  const handle = async (method: string, args: unknown[]): Promise<IpcResult<unknown>> => {
    if (method === 'openDroppedFile') return { ok: false, error: DROPPED_WITHOUT_PATH };
    if (!Object.hasOwn(IPC_METHODS, method))
      return { ok: false, error: { code: 'INTERNAL', message: `No such call: ${method}` } };
    // The real router: sender check, the contract's argument validation, then the service.
    return router[IPC_METHODS[method as IpcMethodName].channel](sender, args);
  };

  await page.exposeBinding(
    '__vaultAdminInvoke',
    async (_source, method: string, args: unknown[]) => {
      calls.push(method);
      return handle(method, args);
    },
  );
  await page.addInitScript(PAGE_SIDE);

  // One evaluate at a time keeps the events in the order they were emitted.
  let delivery = Promise.resolve();
  const unsubscribe = service.onJobEvent((event) => {
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
