/**
 * A small standard menu: editing shortcuts for the password fields, zoom,
 * quit, and Help (using the app, the CLI, where files go, About). No dev
 * tools when packaged. Electron-free (types only), so it is tested without it.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { HelpText } from './help-texts.js';
import { APP_NAME } from './window-options.js';

/** Each Help item shows one text; `show` is the shell's message box. */
export interface HelpMenu {
  readonly items: readonly { readonly label: string; readonly text: () => HelpText }[];
  show(text: HelpText): void;
}

export function appMenuTemplate(
  platform: NodeJS.Platform,
  isPackaged: boolean,
  help?: HelpMenu,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!isPackaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  return [
    ...(isMac ? [{ label: APP_NAME, role: 'appMenu' as const }] : []),
    { label: 'File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
    ...(help
      ? [
          {
            role: 'help' as const,
            submenu: help.items.map(({ label, text }) => ({
              label,
              click: () => help.show(text()),
            })),
          },
        ]
      : []),
  ];
}
