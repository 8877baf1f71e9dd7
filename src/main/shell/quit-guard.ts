/**
 * Closing the window or quitting while a rotation runs asks first; if the
 * person agrees, the rotation is cancelled (it stops after its batch) before
 * the app goes. On the way out `dispose` undoes what the app set up (VaultService
 * among it): no thread survives.
 */
import type { App, BrowserWindow } from 'electron';
import { toIpcError } from '../common/ipc-errors.js';
import { confirmStopRotation } from './dialogs.js';
import type { VaultService } from '../host/vault-service.js';

export function guardQuitDuringRotation(
  app: App,
  service: VaultService,
  window: () => BrowserWindow | null,
  dispose: () => Promise<void>,
): void {
  let stopConfirmed = false;
  let asking = false;
  let disposed = false;

  /** true when leaving may go ahead now; otherwise asks, and `proceed` runs once the rotation has stopped */
  const mayLeave = (proceed: () => void): boolean => {
    const active = service.activeRotation();
    if (stopConfirmed || !active) return true;
    if (asking) return false;
    asking = true;
    void confirmStopRotation(window(), active.kind === 'coordinate')
      .then(async (stop) => {
        if (!stop) return;
        stopConfirmed = true;
        await service.cancelActiveAndWait();
        proceed();
      })
      .finally(() => {
        asking = false;
      });
    return false;
  };

  app.on('browser-window-created', (_event, created) => {
    created.on('close', (event) => {
      if (!mayLeave(() => created.close())) event.preventDefault();
    });
  });

  app.on('before-quit', (event) => {
    if (!mayLeave(() => app.quit())) event.preventDefault();
  });

  app.on('will-quit', (event) => {
    if (disposed) return;
    event.preventDefault();
    void dispose()
      .catch((error: unknown) => console.error('[quit] cleanup failed:', toIpcError(error).message))
      .finally(() => {
        disposed = true;
        app.quit();
      });
  });
}
