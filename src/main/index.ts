/**
 * Electron main process: a thin shell. It builds the secure window, wires IPC
 * to VaultService (which runs the engine in worker threads) and mirrors jobs
 * in the OS. All decisions live in Electron-free modules next to this one.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  powerSaveBlocker,
  protocol,
  session,
} from 'electron';
import { vaultDriverText } from '../core/vault-drivers.js';
import { DisposableStore } from './common/disposable-store.js';
import { appMenuTemplate, type HelpMenu } from './shell/app-menu.js';
import { aboutText, commandLineText, filesText, usingTheAppText } from './shell/help-texts.js';
import { keepAwakeDuringRotations } from './shell/keep-awake.js';
import { launchVaultPath, vaultArgument } from './shell/launch-vault.js';
import { IPC_EVENTS } from '../shared/ipc-contract.js';
import {
  APP_INDEX_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from './shell/app-protocol.js';
import { nativeDialogs } from './shell/dialogs.js';
import { hardenSession, refuseNavigationEverywhere } from './shell/harden.js';
import { registerIpcHandlers, frameIdentity } from './ipc/ipc.js';
import { createIpcRouter } from './ipc/ipc-router.js';
import { chooseSqliteDriver } from './host/native-sqlite.js';
import { guardQuitDuringRotation } from './shell/quit-guard.js';
import { relayJobEvents } from './ipc/rotation-relay.js';
import { contentSecurityPolicy, isTrustedSender, type AppUrlPolicy } from './shell/security.js';
import { userDataOverride } from './shell/user-data.js';
import { VaultService } from './host/vault-service.js';
import { createMainWindow } from './shell/window.js';
import { windowTitle } from './shell/window-options.js';

const here = dirname(fileURLToPath(import.meta.url));

// Tests and developers may point an unpackaged app at another data folder; installed apps ignore it.
const userData = userDataOverride(process.env, app.isPackaged);
if (userData.use) app.setPath('userData', userData.use);
else if (userData.ignored) console.warn(`[startup] ${userData.ignored}`);

app.enableSandbox();
// Before "ready": the renderer is served from app://, a standard secure origin (not file://).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  let mainWindow: BrowserWindow | null = null;
  const currentWindow = (): BrowserWindow | null =>
    mainWindow && !mainWindow.isDestroyed() ? mainWindow : null;

  const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const urls: AppUrlPolicy = {
    appUrl: APP_INDEX_URL,
    ...(devServerUrl ? { devServerUrl } : {}),
  };

  refuseNavigationEverywhere(app, urls);

  // Vaults named on the command line or by the OS, kept until the window and service exist.
  const launched: { argument: string; cwd: string }[] = [];
  let openLaunched: ((argument: string, cwd: string) => void) | null = null;
  const launch = (argument: string | null, cwd: string): void => {
    if (argument === null) return;
    if (openLaunched) openLaunched(argument, cwd);
    else launched.push({ argument, cwd });
  };
  launch(vaultArgument(process.argv, app.isPackaged), process.cwd());
  // macOS: a file dropped on the dock icon or opened with the app (may come before "ready").
  app.on('open-file', (event, path) => {
    event.preventDefault();
    launch(path, process.cwd());
  });

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const window = currentWindow();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    launch(vaultArgument(argv, app.isPackaged), workingDirectory);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(async () => {
    const csp = contentSecurityPolicy(
      devServerUrl ? { devServerOrigin: new URL(devServerUrl).origin } : {},
    );
    hardenSession(session.defaultSession, csp);
    session.defaultSession.protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler(join(here, '../renderer'), csp),
    );
    const help: HelpMenu = {
      items: [
        { label: 'Using VaultStore Admin', text: usingTheAppText },
        { label: 'Command-Line Tool', text: commandLineText },
        {
          label: 'Where Backups and Checkpoints Go',
          text: () => filesText(app.getPath('userData')),
        },
        {
          label: 'About VaultStore Admin',
          text: () =>
            aboutText({
              version: app.getVersion(),
              electron: process.versions.electron,
              chrome: process.versions.chrome,
              node: process.versions.node,
            }),
        },
      ],
      show: (text) => {
        const window = currentWindow();
        const options = { type: 'info' as const, buttons: ['OK'], ...text };
        void (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
      },
    };
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(appMenuTemplate(process.platform, app.isPackaged, help)),
    );

    const sqlite = await chooseSqliteDriver({
      appRoot: app.getAppPath(),
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
    });
    console.log(`[sqlite] ${sqlite.reason}`);
    const service = new VaultService({
      dataDir: app.getPath('userData'),
      driver: sqlite.driver,
      ...(sqlite.nativeBinding ? { nativeBinding: sqlite.nativeBinding } : {}),
    });

    const router = createIpcRouter({
      service,
      dialogs: nativeDialogs(currentWindow),
      isTrustedSender: (sender) =>
        isTrustedSender(sender, frameIdentity(currentWindow()?.webContents.mainFrame), urls),
      onVaultOpened: (summary) => {
        currentWindow()?.setTitle(windowTitle(summary));
        // The OS list is for files; a server vault's "path" is its connection string.
        if (vaultDriverText(summary.driver).holds === 'file') app.addRecentDocument(summary.path);
      },
    });
    // Undone at quit, newest first: the service (added last) stops its jobs while the relays
    // still forward a cancelled rotation's last event; then the subscriptions and handlers go.
    const lifetime = new DisposableStore();
    lifetime.add(registerIpcHandlers(ipcMain, router));
    lifetime.add(relayJobEvents(service, currentWindow));
    lifetime.add(keepAwakeDuringRotations(service, powerSaveBlocker));
    lifetime.add(() => service.dispose());
    guardQuitDuringRotation(app, service, currentWindow, () => lifetime.dispose());

    const openWindow = (): void => {
      mainWindow = createMainWindow({
        preloadPath: join(here, '../preload/index.cjs'),
        iconPath: join(app.getAppPath(), 'resources', 'icon.png'),
        isPackaged: app.isPackaged,
        urls,
      });
    };
    openWindow();
    openLaunched = (argument, cwd) => void openLaunchedVault(argument, cwd);
    const openLaunchedVault = async (argument: string, cwd: string): Promise<void> => {
      const path = launchVaultPath(argument, cwd);
      const opened = path.ok ? await service.openChosenPath(path.value) : path;
      const window = currentWindow();
      if (!window) return;
      if (!opened.ok) {
        void dialog.showMessageBox(window, {
          type: 'warning',
          message: `Could not open ${argument}`,
          detail: opened.error.message,
        });
        return;
      }
      window.setTitle(windowTitle(opened.value));
      app.addRecentDocument(opened.value.path);
      const send = (): void => window.webContents.send(IPC_EVENTS.vaultOpened, opened.value);
      if (window.webContents.isLoading()) window.webContents.once('did-finish-load', send);
      else send();
    };
    for (const { argument, cwd } of launched.splice(0)) openLaunched(argument, cwd);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
    });
  });
}
