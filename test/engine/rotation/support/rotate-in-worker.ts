/** Worker entry for host-thread.test.ts: runs a rotation inside a worker thread, as the Electron engine host does. */
import { parentPort, workerData } from 'node:worker_threads';
import { ARGON2_PRESETS, rotateVault } from '../../../../src/engine/index.js';

interface Input {
  vaultPath: string;
  oldPassword: Uint8Array;
  newPassword: Uint8Array;
}

const input = workerData as Input;
let progressEvents = 0;
rotateVault({
  vaultPath: input.vaultPath,
  oldPassword: input.oldPassword,
  newPassword: input.newPassword,
  openConfig: ARGON2_PRESETS.tiny,
  workers: 2,
  onProgress: () => progressEvents++,
})
  .then((result) => parentPort!.postMessage({ ok: true, result, progressEvents }))
  .catch((error: unknown) => parentPort!.postMessage({ ok: false, message: String(error) }));
