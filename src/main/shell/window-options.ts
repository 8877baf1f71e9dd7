/**
 * Options of the one app window. Pure (type-only Electron import) so the test
 * can assert that the secure settings are the ones we really use.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export const APP_NAME = 'VaultStore Admin';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: true,
  };
}

export interface MainWindowOptionsInput {
  preloadPath: string;
  /** PNG shown in the task bar on Linux (Windows and macOS take it from the package) */
  iconPath?: string | undefined;
  /** packaged builds hide the developer tools */
  isPackaged: boolean;
}

export function mainWindowOptions(input: MainWindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: APP_NAME,
    width: 1080,
    height: 760,
    minWidth: 720,
    minHeight: 560,
    show: false,
    autoHideMenuBar: false,
    ...(input.iconPath ? { icon: input.iconPath } : {}),
    webPreferences: { ...secureWebPreferences(input.preloadPath), devTools: !input.isPackaged },
  };
}

/** Title bar text: the open vault's file name first (what people look for in the task bar). */
export function windowTitle(vault: { fileName: string; path: string } | null): string {
  return vault ? `${vault.fileName} — ${APP_NAME}` : APP_NAME;
}
