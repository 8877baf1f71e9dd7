/**
 * The renderer's own store over main's own router and a real VaultService (as
 * the preload would connect them), for the tests of a whole Start.
 */
import { vi } from 'vitest';
import { JobRegistry, type JobKind } from '../../../src/main/host/job-registry.js';
import type { VaultService } from '../../../src/main/host/vault-service.js';
import { createIpcRouter } from '../../../src/main/ipc/ipc-router.js';
import { APP_INDEX_URL } from '../../../src/main/shell/app-protocol.js';
import {
  connectJobEvents,
  createAppStore,
  type AppStore,
} from '../../../src/renderer/store/app-store.js';
import {
  IPC_METHOD_NAMES,
  IPC_METHODS,
  type JobEvent,
  type VaultAdminApi,
} from '../../../src/shared/ipc-contract.js';

/** The renderer's own store, over main's own router and this service (as the preload would be). */
export function appOver(svc: VaultService): {
  store: AppStore;
  calls: string[];
  dispose: () => void;
} {
  const calls: string[] = [];
  const router = createIpcRouter({
    service: svc,
    dialogs: { chooseVaultFile: async () => null, chooseReportDestination: async () => null },
    isTrustedSender: () => true,
  });
  const sender = { url: APP_INDEX_URL, processId: 1, routingId: 1 };
  const methods = Object.fromEntries(
    IPC_METHOD_NAMES.map((method) => [
      method,
      (...args: unknown[]) => {
        calls.push(method);
        return router[IPC_METHODS[method].channel](sender, args);
      },
    ]),
  );
  const api = {
    ...methods,
    onJobEvent: (listener: (event: JobEvent) => void) => svc.onJobEvent(listener),
    onVaultOpened: () => () => undefined,
  } as unknown as VaultAdminApi;
  const store = createAppStore(api);
  return { store, calls, dispose: connectJobEvents(api, store) };
}

/** The status a Start ends in: the job's end, or the dialog again after a refused Start. */
export function settledStatus(store: AppStore): Promise<string> {
  const ENDS = ['completed', 'nothing-opened', 'incomplete', 'cancelled', 'error'];
  const done = ({ rotationStatus, preflight }: ReturnType<AppStore['getState']>): boolean =>
    ENDS.includes(rotationStatus) ||
    (rotationStatus === 'configuring' && preflight.status !== 'idle' && 'fromStart' in preflight);
  return new Promise((resolve) => {
    const unsubscribe = store.subscribe((state) => {
      if (!done(state)) return;
      unsubscribe();
      resolve(state.rotationStatus);
    });
  });
}

/** The kind of every job a service registers from now on (each an engine-host thread); vi.restoreAllMocks ends it. */
export function recordJobKinds(): JobKind[] {
  const kinds: JobKind[] = [];
  const start = JobRegistry.prototype.start;
  vi.spyOn(JobRegistry.prototype, 'start').mockImplementation(function (
    this: JobRegistry,
    ...args
  ) {
    kinds.push(args[0].kind);
    return start.apply(this, args);
  });
  return kinds;
}

/** The rotate dialog open with these passwords and the tiny preset's values (the picker has no tiny). */
export function openTinyDialog(
  store: AppStore,
  passwords: { readonly old: string; readonly new: string },
): void {
  store.getState().openRotateDialog();
  store.getState().updateDraft({
    oldPassword: passwords.old,
    newPassword: passwords.new,
    confirmPassword: passwords.new,
    crypto: { preset: 'custom', custom: { iterations: '1', memoryKiB: '64', parallelism: '1' } },
  });
}
