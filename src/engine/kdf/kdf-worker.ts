/**
 * A worker_threads worker that derives Argon2id keys on request. Used by the
 * KDF tests and the benchmark to run the backends off the main thread (the
 * rotation pool has its own worker). Start it with
 * spawnWorker('engine/kdf/kdf-worker.ts').
 */
import { parentPort } from 'node:worker_threads';
import type { Argon2Config } from '../../core/argon2.js';
import { isEngineError, type EngineErrorCode } from '../errors.js';
import { loadArgon2idBackend } from './load-backend.js';
import type { Argon2BackendName, Argon2BackendPreference } from './types.js';

export interface KdfWorkerRequest {
  readonly id: number;
  readonly backend: Argon2BackendPreference;
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly config: Argon2Config;
}

export type KdfWorkerReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly backend: Argon2BackendName;
      readonly key: Uint8Array;
    }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: EngineErrorCode;
      readonly message: string;
    };

async function handle(request: KdfWorkerRequest): Promise<KdfWorkerReply> {
  try {
    const backend = await loadArgon2idBackend(request.backend);
    const key = await backend.deriveKey(request.password, request.salt, request.config);
    return { id: request.id, ok: true, backend: backend.name, key };
  } catch (error) {
    const code: EngineErrorCode = isEngineError(error) ? error.code : 'INTERNAL';
    return {
      id: request.id,
      ok: false,
      code,
      message: error instanceof Error ? error.message : String(error),
    };
  } finally {
    request.password.fill(0);
  }
}

const port = parentPort;
if (port) {
  port.on('message', (request: KdfWorkerRequest) => {
    void handle(request).then((reply) => port.postMessage(reply));
  });
}
