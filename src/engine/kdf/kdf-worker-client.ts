/** Parent side of kdf-worker.ts: one worker, requests matched to replies by id. */
import type { Worker } from 'node:worker_threads';
import type { Argon2Config } from '../../core/argon2.js';
import { EngineError } from '../errors.js';
import { spawnWorker } from '../worker-script.js';
import type { KdfWorkerReply, KdfWorkerRequest } from './kdf-worker.js';
import type { Argon2BackendName, Argon2BackendPreference } from './types.js';

export interface KdfWorkerResult {
  readonly backend: Argon2BackendName;
  readonly key: Buffer;
}

interface Pending {
  resolve(result: KdfWorkerResult): void;
  reject(error: Error): void;
}

export class KdfWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor() {
    this.worker = spawnWorker('engine/kdf/kdf-worker.ts');
    this.worker.on('message', (reply: KdfWorkerReply) => this.settle(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) =>
      this.failAll(
        new EngineError('WORKER_FAILED', `The Argon2id worker stopped (exit code ${code}).`),
      ),
    );
  }

  /** Derives a key in the worker; the password is copied into the message, the caller keeps its own. */
  derive(
    backend: Argon2BackendPreference,
    password: Uint8Array,
    salt: Uint8Array,
    config: Argon2Config,
  ): Promise<KdfWorkerResult> {
    if (this.failure) return Promise.reject(this.failure);
    const request: KdfWorkerRequest = { id: this.nextId++, backend, password, salt, config };
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** Stops the worker; pending and later requests reject with WORKER_FAILED. */
  async close(): Promise<void> {
    this.failAll(new EngineError('WORKER_FAILED', 'The Argon2id worker was closed.'));
    await this.worker.terminate();
    this.worker.removeAllListeners();
  }

  private settle(reply: KdfWorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) {
      pending.resolve({ backend: reply.backend, key: Buffer.from(reply.key) });
    } else {
      pending.reject(new EngineError(reply.code, reply.message));
    }
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
