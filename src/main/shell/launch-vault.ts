/**
 * A vault named when the app is started (`vaultstore-admin-app /path/vault.db`,
 * a file opened with the app from the desktop) or handed to the running
 * instance (second-instance, macOS open-file). Electron-free: main opens what
 * this returns like a file chosen in the open dialog.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateVaultPath } from '../../shared/ipc-validation.js';
import type { IpcResult } from '../../shared/ipc-contract.js';

/**
 * The first argument after the program (packaged: the executable; unpackaged:
 * electron and the app folder) that is not a switch; null when there is none.
 */
export function vaultArgument(argv: readonly string[], isPackaged: boolean): string | null {
  const args = argv.slice(isPackaged ? 1 : 2);
  return args.find((arg) => arg !== '' && !arg.startsWith('-')) ?? null;
}

/** The path made absolute against the caller's folder, checked like a typed one, and a file. */
export function launchVaultPath(argument: string, workingDirectory: string): IpcResult<string> {
  const checked = validateVaultPath(resolve(workingDirectory, argument));
  if (!checked.ok) return checked;
  const stat = statSync(checked.value, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    return {
      ok: false,
      error: {
        code: 'FILE_NOT_FOUND',
        message: `${checked.value} is not a file. Check the path given to the app, or open the vault from the app.`,
      },
    };
  }
  return checked;
}
