/**
 * The vault files the user chose in this session (open dialog, drop, recent
 * list), each behind an opaque random handle. The renderer only ever holds
 * handles: a path it names itself is never opened, so a compromised page
 * cannot probe, list or rotate a file the user did not pick.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { isServerTarget } from '../../engine/index.js';
import { VAULT_NOT_CHOSEN } from '../../core/error-codes.js';
import type { IpcError, VaultHandle } from '../../shared/ipc-contract.js';

export { VAULT_NOT_CHOSEN };

export const notChosenError: IpcError = {
  code: VAULT_NOT_CHOSEN,
  message:
    'The app was asked to use a vault that was not chosen in this session. Open the vault again with “Open vault…”, by dropping it on the window, or from the recent list.',
};

export class ChosenVaults {
  private readonly paths = new Map<VaultHandle, string>();
  private readonly handles = new Map<string, VaultHandle>();

  /**
   * The handle of a path the user chose (the same one each time for the same path), or of a
   * server connection string main built from the connect form (kept as it is: not a file name).
   */
  grant(path: string): VaultHandle {
    const key = isServerTarget(path) ? path : resolve(path);
    const known = this.handles.get(key);
    if (known) return known;
    const handle = randomUUID();
    this.handles.set(key, handle);
    this.paths.set(handle, key);
    return handle;
  }

  /** The chosen path behind a handle; null when main never gave that handle out. */
  pathOf(handle: VaultHandle): string | null {
    return this.paths.get(handle) ?? null;
  }
}
