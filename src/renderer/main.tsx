import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { findVaultAdminApi } from './api.js';
import { App } from './App.js';
import { createAppStore } from './store/app-store.js';
import { connectLaunchedVaults } from './store/launched-vaults.js';
import './styles/theme.css';
import './styles/app.css';

const container = document.getElementById('root');
const api = findVaultAdminApi();
if (container && api) {
  const store = createAppStore(api);
  connectLaunchedVaults(api, store);
  createRoot(container).render(
    <StrictMode>
      <App store={store} api={api} />
    </StrictMode>,
  );
} else if (container) {
  container.textContent = 'VaultStore Admin: this page runs inside the desktop app only.';
}
