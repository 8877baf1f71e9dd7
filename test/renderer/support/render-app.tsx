import { render, type RenderResult } from '@testing-library/react';
import { Profiler } from 'react';
import { App } from '../../../src/renderer/App.js';
import { createAppStore, type AppStore } from '../../../src/renderer/store/app-store.js';
import { FakeVaultAdmin, tableInfo, vaultSummary } from './fake-vault-admin.js';

export const VAULT_PATH = '/home/ada/vaults/app.db';

export interface RenderedApp extends RenderResult {
  api: FakeVaultAdmin;
  store: AppStore;
  /** React commits of the whole tree so far */
  commits(): number;
}

export function renderApp(api = new FakeVaultAdmin()): RenderedApp {
  const store = createAppStore(api);
  let commits = 0;
  const rendered = render(
    <Profiler id="app" onRender={() => (commits += 1)}>
      <App store={store} api={api} />
    </Profiler>,
  );
  return { ...rendered, api, store, commits: () => commits };
}

/** An API with one vault (one table of 200 records) already known. */
export function apiWithVault(): FakeVaultAdmin {
  return new FakeVaultAdmin().addVault(
    vaultSummary(VAULT_PATH, [
      tableInfo('vault', 200, { softDeleted: 12, expired: 7, v1: 20, v2: 180 }),
    ]),
  );
}
