/** The native file dialogs behind "Open vault…" and "Export report". */
import { dialog, type BrowserWindow } from 'electron';
import type { ExportReportRequest } from '../../shared/ipc-contract.js';
import type { NativeDialogs } from '../ipc/ipc-router.js';
import { stopRotationText } from '../host/job-feedback.js';

const REPORT_EXTENSIONS = { json: 'json', markdown: 'md' } as const;

export function nativeDialogs(window: () => BrowserWindow | null): NativeDialogs {
  return {
    async chooseVaultFile() {
      const parent = window();
      const options: Electron.OpenDialogOptions = {
        title: 'Open a VaultStore vault',
        properties: ['openFile'],
        filters: [
          { name: 'SQLite vaults', extensions: ['db', 'sqlite', 'sqlite3', 'vault'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async chooseCaFile() {
      const parent = window();
      const options: Electron.OpenDialogOptions = {
        title: 'Choose the CA certificate of the database server',
        properties: ['openFile'],
        filters: [
          { name: 'Certificates', extensions: ['pem', 'crt', 'cer'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async chooseReportDestination(request: ExportReportRequest) {
      const parent = window();
      const extension = REPORT_EXTENSIONS[request.format];
      const name = request.suggestedName.endsWith(`.${extension}`)
        ? request.suggestedName
        : `${request.suggestedName}.${extension}`;
      const options: Electron.SaveDialogOptions = {
        title: 'Export rotation report',
        defaultPath: name,
        filters: [
          { name: request.format === 'json' ? 'JSON' : 'Markdown', extensions: [extension] },
        ],
      };
      const result = parent
        ? await dialog.showSaveDialog(parent, options)
        : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
}

/** Asked when the window closes or the app quits during a rotation. True: cancel it and go. */
export async function confirmStopRotation(
  parent: BrowserWindow | null,
  distributed = false,
): Promise<boolean> {
  const options: Electron.MessageBoxOptions = {
    type: 'warning',
    title: 'A rotation is running',
    ...stopRotationText(distributed),
    buttons: ['Keep rotating', 'Stop and quit'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  };
  const { response } = parent
    ? await dialog.showMessageBox(parent, options)
    : await dialog.showMessageBox(options);
  return response === 1;
}
