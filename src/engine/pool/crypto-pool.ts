/**
 * A pool of worker_threads workers that open and re-encrypt values. The host
 * hands out tasks and gets results; it never derives a key itself.
 *
 * Each worker gets the passwords once, at start, as its own copy; the pool
 * keeps none (its temporary copies are zeroed as soon as the workers exist)
 * and every worker zeroes its copies on close(). Cancelling is a shared flag
 * (SharedArrayBuffer) that workers read between derivations.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Argon2Config } from '../../core/argon2.js';
import { EngineError, type EngineErrorCode } from '../errors.js';
import type { Argon2BackendName, Argon2BackendPreference } from '../kdf/types.js';
import { spawnWorker } from '../worker-script.js';
import { markTiming } from '../timing-marks.js';
import { ENGINE_THREAD_LIMITS } from '../young-generation.js';
import {
  ABORT_SLOT,
  type CryptoTask,
  type CryptoTaskResult,
  type CryptoWorkerData,
  type HostToWorker,
  type WorkerToHost,
} from './protocol.js';

/** Source path of the worker; builds emit it as `crypto-worker` next to the shell's bundle (worker-script.ts). */
export const CRYPTO_WORKER_SOURCE = 'engine/pool/crypto-worker.ts';

export interface CryptoPoolOptions {
  /** number of workers; default os.availableParallelism() */
  readonly size?: number | undefined;
  /** UTF-8 bytes, referred to by index in tasks; copied to each worker, never kept by the pool */
  readonly passwords: readonly Uint8Array[];
  readonly openConfig: Argon2Config;
  /** default: openConfig */
  readonly writeConfig?: Argon2Config | undefined;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  /** tasks sent ahead to each worker so it never waits for the host (default 4) */
  readonly depthPerWorker?: number | undefined;
}

export interface CryptoPoolStats {
  readonly tasks: number;
  /** Argon2id derivations reported by the workers */
  readonly derivations: number;
  /** v1 XOR keys derived (at most one per password per worker) */
  readonly v1KeysDerived: number;
}

interface PendingTask {
  readonly id: number;
  readonly task: CryptoTask;
  readonly resolve: (result: CryptoTaskResult) => void;
  readonly reject: (error: EngineError) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly outstanding: Map<number, PendingTask>;
  alive: boolean;
  /** set by the worker's 'closed' reply */
  zeroed: boolean;
  closed: Promise<void> | null;
}

const ABORTED_RESULT: CryptoTaskResult = {
  outcome: { kind: 'aborted' },
  derivations: 0,
  openDeriveMs: 0,
  writeDeriveMs: 0,
};

/** Worst case wait for a worker to finish its current derivation before it is terminated anyway. */
const CLOSE_GRACE_MS = 10_000;

const PASSTHROUGH_CODES: ReadonlySet<string> = new Set<EngineErrorCode>([
  'NATIVE_UNAVAILABLE',
  'ARGON2_CONFIG',
  'INTERNAL',
]);

function workerError(code: string, message: string): EngineError {
  return PASSTHROUGH_CODES.has(code)
    ? new EngineError(code as EngineErrorCode, message)
    : new EngineError(
        'WORKER_FAILED',
        `A crypto worker failed: ${message}. Nothing it was working on was written; run again (resume if cancelled).`,
      );
}

export class CryptoPool {
  readonly size: number;
  readonly backend: Argon2BackendName;
  private readonly slots: Slot[];
  private readonly abortView: Int32Array;
  private readonly depth: number;
  private readonly queue: PendingTask[] = [];
  private nextId = 0;
  private failure: EngineError | null = null;
  private closing: Promise<void> | null = null;
  private counters = { tasks: 0, derivations: 0, v1KeysDerived: 0 };

  private constructor(
    slots: Slot[],
    backend: Argon2BackendName,
    abortView: Int32Array,
    depth: number,
  ) {
    this.slots = slots;
    this.size = slots.length;
    this.backend = backend;
    this.abortView = abortView;
    this.depth = depth;
    for (const slot of slots) this.listen(slot);
  }

  /** Starts the workers and waits until each has loaded its Argon2id backend. */
  static async start(options: CryptoPoolOptions): Promise<CryptoPool> {
    markTiming('pool-start');
    const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    const abortFlag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    // Exact-size copies: cloning a view clones its whole buffer (a Buffer's may be a shared slab).
    const passwords = options.passwords.map((password) => new Uint8Array(password));
    const workerData: CryptoWorkerData = {
      kdfBackend: options.kdfBackend ?? 'auto',
      passwords,
      openConfig: options.openConfig,
      writeConfig: options.writeConfig ?? options.openConfig,
      abortFlag,
    };
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < size; i++) {
        slots.push({
          worker: spawnWorker(CRYPTO_WORKER_SOURCE, {
            workerData,
            resourceLimits: ENGINE_THREAD_LIMITS,
          }),
          outstanding: new Map(),
          alive: true,
          zeroed: false,
          closed: null,
        });
      }
    } finally {
      for (const password of passwords) password.fill(0);
    }
    const ready = await Promise.allSettled(slots.map((slot) => waitReady(slot.worker)));
    const failed = ready.find((outcome) => outcome.status === 'rejected');
    if (failed) {
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      for (const slot of slots) slot.worker.removeAllListeners();
      throw failed.reason;
    }
    const first = ready[0];
    const backend = first?.status === 'fulfilled' ? first.value : 'wasm';
    markTiming('pool-ready');
    return new CryptoPool(
      slots,
      backend,
      new Int32Array(abortFlag),
      Math.max(1, options.depthPerWorker ?? 4),
    );
  }

  /** workers currently running (0 after close) */
  get workerCount(): number {
    return this.slots.filter((slot) => slot.alive).length;
  }

  get aborted(): boolean {
    return Atomics.load(this.abortView, ABORT_SLOT) !== 0;
  }

  /** true when every worker confirmed on close that its secrets are zeroed */
  get secretsZeroed(): boolean {
    return this.slots.every((slot) => slot.zeroed);
  }

  stats(): CryptoPoolStats {
    return { ...this.counters };
  }

  /** Resolves with the task's result; rejects only with EngineError (worker failure). */
  run(task: CryptoTask): Promise<CryptoTaskResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing || this.aborted) return Promise.resolve(ABORTED_RESULT);
    return new Promise<CryptoTaskResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  /**
   * Cancels: queued tasks resolve 'aborted' at once; each worker finishes the
   * derivation it is in and answers 'aborted' for the rest.
   */
  abort(): void {
    Atomics.store(this.abortView, ABORT_SLOT, 1);
    for (const pending of this.queue.splice(0)) pending.resolve(ABORTED_RESULT);
  }

  /** Lets running tasks finish, has every worker zero its secrets, then terminates them. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    for (const pending of this.queue.splice(0)) pending.resolve(ABORTED_RESULT);
    await Promise.all(this.slots.map((slot) => this.closeSlot(slot)));
    markTiming('pool-closed');
  }

  private closeSlot(slot: Slot): Promise<void> {
    slot.closed ??= (async () => {
      if (slot.alive) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const confirmed = new Promise<void>((resolve) => {
          const onMessage = (message: WorkerToHost): void => {
            if (message.type === 'closed') resolve();
          };
          slot.worker.on('message', onMessage);
          slot.worker.once('exit', () => resolve());
          timer = setTimeout(resolve, CLOSE_GRACE_MS);
        });
        slot.worker.postMessage({ type: 'close' } satisfies HostToWorker);
        await confirmed;
        clearTimeout(timer);
        slot.alive = false;
        await slot.worker.terminate();
      }
      slot.worker.removeAllListeners();
      for (const pending of slot.outstanding.values()) pending.resolve(ABORTED_RESULT);
      slot.outstanding.clear();
    })();
    return slot.closed;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.leastBusySlot();
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.outstanding.set(pending.id, pending);
      slot.worker.postMessage({
        type: 'task',
        id: pending.id,
        task: pending.task,
      } satisfies HostToWorker);
    }
  }

  private leastBusySlot(): Slot | null {
    let best: Slot | null = null;
    for (const slot of this.slots) {
      if (!slot.alive || slot.outstanding.size >= this.depth) continue;
      if (!best || slot.outstanding.size < best.outstanding.size) best = slot;
    }
    return best;
  }

  private listen(slot: Slot): void {
    slot.worker.on('message', (message: WorkerToHost) => {
      if (message.type === 'closed') {
        slot.zeroed = message.zeroed;
        return;
      }
      if (message.type !== 'result' && message.type !== 'task-failed') return;
      const pending = slot.outstanding.get(message.id);
      if (!pending) return;
      slot.outstanding.delete(message.id);
      if (message.type === 'result') {
        this.counters.tasks++;
        this.counters.derivations += message.result.derivations;
        this.counters.v1KeysDerived += message.v1KeysDerived;
        pending.resolve(message.result);
      } else {
        this.fail(workerError(message.code, message.message));
        pending.reject(this.failure!);
      }
      this.pump();
    });
    slot.worker.on('error', (error: Error) => this.lose(slot, error.message));
    slot.worker.on('exit', (code: number) => {
      if (slot.alive && !this.closing) this.lose(slot, `exited with code ${code}`);
    });
  }

  /** A worker died: everything it held and everything queued fails, the pool stops. */
  private lose(slot: Slot, reason: string): void {
    slot.alive = false;
    this.fail(workerError('WORKER_FAILED', reason));
    for (const pending of slot.outstanding.values()) pending.reject(this.failure!);
    slot.outstanding.clear();
    for (const pending of this.queue.splice(0)) pending.reject(this.failure!);
  }

  private fail(error: EngineError): void {
    this.failure ??= error;
  }
}

function waitReady(worker: Worker): Promise<Argon2BackendName> {
  return new Promise<Argon2BackendName>((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: WorkerToHost): void => {
      if (message.type === 'ready') {
        cleanup();
        resolve(message.backend);
      } else if (message.type === 'init-failed') {
        cleanup();
        reject(workerError(message.code, message.message));
      }
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(workerError('WORKER_FAILED', error.message));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(workerError('WORKER_FAILED', `exited with code ${code} while starting`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
