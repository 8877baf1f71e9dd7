/**
 * Builds the real preload (CommonJS, as electron-vite does) and runs it in a
 * vm context whose `require('electron')` is a recording stand-in: Electron
 * itself cannot run here. Checks what reaches the page: one object with
 * exactly the VaultAdminApi methods, and no way to ipcRenderer.
 */
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { createIpcRouter } from '../../src/main/ipc/ipc-router.js';
import { VaultService } from '../../src/main/host/vault-service.js';
import {
  IPC_CHANNELS,
  IPC_METHOD_NAMES,
  IPC_METHODS,
  methodOfChannel,
  type RotationEvent,
  type VaultAdminApi,
  type VaultSummary,
} from '../../src/shared/ipc-contract.js';
import { makeTempDir } from '../support/fixtures.js';

/** What the page may call: one method per contract entry, plus the event subscription. */
const API_METHODS = [...IPC_METHOD_NAMES, 'onJobEvent', 'onVaultOpened'];

type Listener = (event: unknown, payload: unknown) => void;

interface FakeElectron {
  exposed: Map<string, unknown>;
  invoked: Array<{ channel: string; args: unknown[] }>;
  listeners: Map<string, Set<Listener>>;
  required: string[];
  emit(channel: string, payload: unknown): void;
}

let preloadSource = '';

beforeAll(async () => {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, '../../src/preload/index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    external: ['electron'],
    write: false,
    logLevel: 'silent',
  });
  preloadSource = result.outputFiles[0]?.text ?? '';
});

function runPreload(): FakeElectron {
  const fake: FakeElectron = {
    exposed: new Map(),
    invoked: [],
    listeners: new Map(),
    required: [],
    emit(channel, payload) {
      const senderEvent = { sender: { send: () => undefined }, ports: [] };
      for (const listener of fake.listeners.get(channel) ?? []) listener(senderEvent, payload);
    },
  };
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      fake.invoked.push({ channel, args });
      return Promise.resolve({ ok: true, value: { channel, args } });
    },
    on: (channel: string, listener: Listener) => {
      const set = fake.listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      fake.listeners.set(channel, set);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: Listener) => {
      fake.listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
    send: () => {
      throw new Error('the preload must not use send');
    },
    sendSync: () => {
      throw new Error('the preload must not use sendSync');
    },
  };
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api),
    },
    ipcRenderer,
    // Electron gives '' for a File that did not come from the file system.
    webUtils: {
      getPathForFile: (file: { name: string }) => (file.name ? `/dropped/${file.name}` : ''),
    },
  };
  const module = { exports: {} };
  runInNewContext(preloadSource, {
    module,
    exports: module.exports,
    require: (id: string) => {
      fake.required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    },
  });
  return fake;
}

function exposedApi(fake: FakeElectron): VaultAdminApi {
  return fake.exposed.get('vaultAdmin') as VaultAdminApi;
}

describe('preload', () => {
  it('requires nothing but electron', () => {
    const fake = runPreload();
    expect(new Set(fake.required)).toEqual(new Set(['electron']));
  });

  it('exposes exactly one object, window.vaultAdmin, with exactly the VaultAdminApi methods', () => {
    const fake = runPreload();
    expect([...fake.exposed.keys()]).toEqual(['vaultAdmin']);
    const api = exposedApi(fake) as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...API_METHODS].sort());
    for (const key of Object.keys(api)) expect(typeof api[key], key).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.getOwnPropertySymbols(api)).toEqual([]);
  });

  it('gives the page no ipcRenderer, directly or through a return value', async () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const values = Object.values(api) as unknown[];
    for (const value of values) expect(value).not.toHaveProperty('invoke');
    const unsubscribe = api.onJobEvent(() => undefined);
    expect(typeof unsubscribe).toBe('function');
    expect(Object.keys(unsubscribe)).toEqual([]);
    unsubscribe();
  });

  it('maps each call to its channel with the caller arguments only', async () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const handle = '6f9b0c1e-2d3a-4b5c-8d7e-9f0a1b2c3d4e';
    const request = {
      vault: handle,
      table: 'vault',
      password: 'p',
      crypto: { preset: 'tiny' as const },
    };
    await api.openVaultDialog();
    await api.openVault(handle);
    await api.recentVaults();
    await api.verify(request, 'job-1');
    await api.cancelJob('job-1');
    // A dropped File: the preload reads its location and sends that, the page never names a path.
    await api.openDroppedFile({ name: 'dropped.db' } as unknown as File);
    expect(fake.invoked).toEqual([
      { channel: IPC_CHANNELS.openVaultDialog, args: [] },
      { channel: IPC_CHANNELS.openVault, args: [handle] },
      { channel: IPC_CHANNELS.recentVaults, args: [] },
      { channel: IPC_CHANNELS.verify, args: [request, 'job-1'] },
      { channel: IPC_CHANNELS.cancelJob, args: ['job-1'] },
      { channel: IPC_CHANNELS.openDroppedFile, args: ['/dropped/dropped.db'] },
    ]);
    expect(await api.recentVaults()).toEqual({
      ok: true,
      value: { channel: IPC_CHANNELS.recentVaults, args: [] },
    });
  });

  it('sends every call of the table on its channel with exactly the caller arguments', async () => {
    const fake = runPreload();
    const api = exposedApi(fake) as unknown as Record<string, (...args: unknown[]) => unknown>;
    const adapted = new Set(['openDroppedFile']); // the page passes a File, main gets its path
    for (const name of IPC_METHOD_NAMES.filter((method) => !adapted.has(method))) {
      await api[name]!(`${name}-argument`, 2);
    }
    expect(fake.invoked).toEqual(
      IPC_METHOD_NAMES.filter((method) => !adapted.has(method)).map((name) => ({
        channel: IPC_METHODS[name].channel,
        args: [`${name}-argument`, 2],
      })),
    );
  });

  it('has exactly the methods of the contract table, as main has exactly its channels', () => {
    const temp = makeTempDir('vsa-preload-');
    const service = new VaultService({ dataDir: join(temp.path, 'app-data'), workers: 1 });
    try {
      const router = createIpcRouter({
        service,
        dialogs: { chooseVaultFile: async () => null, chooseReportDestination: async () => null },
        isTrustedSender: () => true,
      });
      const routerMethods = Object.keys(router).map((channel) => methodOfChannel(channel));
      const preloadMethods = Object.keys(exposedApi(runPreload())).filter(
        (key) => key !== 'onJobEvent' && key !== 'onVaultOpened',
      );
      const table = [...IPC_METHOD_NAMES].sort();
      expect([...preloadMethods].sort()).toEqual(table);
      expect([...routerMethods].sort()).toEqual(table);
    } finally {
      void service.dispose();
      temp.dispose();
    }
  });

  it('answers a dropped item without a file location itself, sending nothing to main', async () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const answer = await api.openDroppedFile({ name: '' } as unknown as File);
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.message).toContain('no file location');
    expect(fake.invoked).toEqual([]);
  });

  it('delivers job events without Electron event object, and unsubscribes', () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const received: unknown[][] = [];
    const unsubscribe = api.onJobEvent((...args: unknown[]) => received.push(args));
    const event: RotationEvent = {
      type: 'error',
      jobId: 'job-1',
      error: { code: 'LOCKED', message: 'locked' },
    };
    fake.emit(IPC_CHANNELS.jobEvent, event);
    expect(received).toEqual([[event]]);
    expect(fake.listeners.get(IPC_CHANNELS.jobEvent)?.size).toBe(1);
    unsubscribe();
    expect(fake.listeners.get(IPC_CHANNELS.jobEvent)?.size).toBe(0);
    fake.emit(IPC_CHANNELS.jobEvent, event);
    expect(received).toHaveLength(1);
    unsubscribe(); // twice is harmless
  });

  it('delivers vaults opened at launch without the Electron event object, and unsubscribes', () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const received: unknown[][] = [];
    const unsubscribe = api.onVaultOpened((...args: unknown[]) => received.push(args));
    const summary = { path: '/v/app.db', fileName: 'app.db' } as unknown as VaultSummary;
    fake.emit(IPC_CHANNELS.vaultOpened, summary);
    expect(received).toEqual([[summary]]);
    unsubscribe();
    expect(fake.listeners.get(IPC_CHANNELS.vaultOpened)?.size).toBe(0);
  });

  it('keeps listeners independent', () => {
    const fake = runPreload();
    const api = exposedApi(fake);
    const first: unknown[] = [];
    const second: unknown[] = [];
    const stopFirst = api.onJobEvent((event) => first.push(event));
    const stopSecond = api.onJobEvent((event) => second.push(event));
    stopFirst();
    fake.emit(IPC_CHANNELS.jobEvent, { type: 'progress' });
    expect(first).toEqual([]);
    expect(second).toHaveLength(1);
    stopSecond();
  });
});
