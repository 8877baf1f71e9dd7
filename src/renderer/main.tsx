import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { findVaultAdminApi } from './api.js';
import { App } from './App.js';
import { createAppStore } from './store/app-store.js';
import './styles/theme.css';
import './styles/app.css';

const container = document.getElementById('root');
const api = findVaultAdminApi();
if (container && api) {
  createRoot(container).render(
    <StrictMode>
      <App store={createAppStore(api)} api={api} />
    </StrictMode>,
  );
} else if (container) {
  container.textContent = 'VaultStore Admin: this page runs inside the desktop app only.';
}
