/** The one app window: secure options (window-options.ts), our page only, title kept by main. */
import { BrowserWindow } from 'electron';
import type { AppUrlPolicy } from './security.js';
import { mainWindowOptions, windowTitle } from './window-options.js';

export interface MainWindowInput {
  readonly preloadPath: string;
  readonly iconPath?: string;
  readonly isPackaged: boolean;
  readonly urls: AppUrlPolicy;
}

export function createMainWindow(input: MainWindowInput): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions({
      preloadPath: input.preloadPath,
      iconPath: input.iconPath,
      isPackaged: input.isPackaged,
    }),
  );
  // The title names the open vault (set by main); the page's <title> must not replace it.
  window.on('page-title-updated', (event) => event.preventDefault());
  window.setTitle(windowTitle(null));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(input.urls.devServerUrl ?? input.urls.appUrl);
  return window;
}
