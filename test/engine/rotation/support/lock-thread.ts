/**
 * A worker thread for the rotation-lock tests (bundled by the test): takes the
 * lock of `workerData.vault`, reports it, and holds it until terminated,
 * which, like the app's engine host being terminated, runs no `finally`.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { acquireRotationLock } from '../../../../src/engine/rotation/state/rotation-lock.js';

const { vault } = workerData as { vault: string };
const lock = acquireRotationLock(vault, { tool: 'app' });
parentPort?.postMessage({ threadId, token: lock.holder.token });
setInterval(() => undefined, 60_000);
