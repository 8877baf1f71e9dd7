/**
 * Sandboxed preload (built as CommonJS: sandboxed preloads cannot be ESM).
 * Exposes exactly one object, window.vaultAdmin; never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createVaultAdminApi } from './vault-admin-api.js';

contextBridge.exposeInMainWorld('vaultAdmin', createVaultAdminApi(ipcRenderer, webUtils));
