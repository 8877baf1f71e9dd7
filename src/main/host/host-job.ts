/**
 * One operation in its own engine-host worker thread: start, relay progress,
 * settle once (result, engine error, or the worker dying), then terminate.
 */
import type { Worker } from 'node:worker_threads';
import {
  ENGINE_THREAD_LIMITS,
  releaseRotationLockOfThread,
  rotationStateBase,
  spawnWorker,
  type PreflightProgress,
  type PreflightResult,
} from '../../engine/index.js';
import type { IpcError } from '../../shared/ipc-contract.js';
import {
  ENGINE_HOST_WORKER,
  type HostCommand,
  type HostProgress,
  type HostReply,
  type HostRequest,
  type HostResults,
} from './engine-host-protocol.js';
import { toIpcError } from '../common/ipc-errors.js';

export type HostOutcome<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface HostJobOptions<R extends HostRequest> {
  /** buffers moved (not copied) to the worker: the passwords */
  transfer?: ArrayBuffer[];
  onProgress?: (progress: HostProgress[R['type']]) => void;
  /** a rotation's own check: its progress and result (other operations send none) */
  onPreflightProgress?: ((progress: PreflightProgress) => void) | undefined;
  onPreflight?: ((result: PreflightResult) => void) | undefined;
}

export class HostJob<R extends HostRequest> {
  /** settles exactly once; never rejects */
  readonly outcome: Promise<HostOutcome<HostResults[R['type']]>>;
  /** null when the thread could not even be started (the outcome says why) */
  private readonly worker: Worker | null;
  private settled = false;
  private resolveOutcome!: (outcome: HostOutcome<HostResults[R['type']]>) => void;

  constructor(request: R, options: HostJobOptions<R> = {}) {
    this.outcome = new Promise((resolve) => {
      this.resolveOutcome = resolve;
    });
    let worker: Worker | null = null;
    try {
      worker = spawnWorker(ENGINE_HOST_WORKER, { resourceLimits: ENGINE_THREAD_LIMITS });
      worker.on('message', (reply: HostReply) => {
        // The host runs the request's operation only, so its progress is of that kind.
        if (reply.type === 'progress')
          options.onProgress?.(reply.progress as HostProgress[R['type']]);
        else if (reply.type === 'preflight-progress') options.onPreflightProgress?.(reply.progress);
        else if (reply.type === 'preflight') options.onPreflight?.(reply.result);
        else if (reply.type === 'done')
          this.settle({ ok: true, value: reply.value as HostResults[R['type']] });
        else this.settle({ ok: false, error: reply.error });
      });
      worker.on('error', (error) =>
        this.settle({ ok: false, error: workerFailed(toIpcError(error).message) }),
      );
      const threadId = worker.threadId; // -1 once it has stopped
      worker.on('exit', (code) => {
        // Terminated mid-rotation, the thread ran no `finally`: free the vault's rotation lock it held.
        if (request.type === 'rotate') releaseLockOf(request.options, threadId);
        this.settle({
          ok: false,
          error: workerFailed(`the engine host stopped with exit code ${code}`),
        });
      });
      const command: HostCommand = request;
      worker.postMessage(command, options.transfer ?? []);
    } catch (error) {
      this.settle({ ok: false, error: toIpcError(error) });
    }
    this.worker = worker;
    if (this.settled) void worker?.terminate();
  }

  /** Asks the engine to stop after the batch in progress; the outcome follows (status "cancelled"). */
  cancel(): void {
    if (!this.settled) this.worker?.postMessage({ type: 'cancel' } satisfies HostCommand);
  }

  /** Stops the thread at once. Safe mid-rotation: every batch is one transaction, and the checkpoint allows resuming. */
  async terminate(): Promise<void> {
    this.settle({
      ok: false,
      error: workerFailed('it was stopped before it finished'),
    });
    await this.worker?.terminate();
  }

  private settle(outcome: HostOutcome<HostResults[R['type']]>): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveOutcome(outcome);
    // The host's job is over either way; do not leave the thread (or its engine workers) behind.
    // (During construction this.worker is not set yet; the constructor terminates it then.)
    void this.worker?.terminate();
  }
}

/**
 * The rotation lock sits next to a vault file, or (a server table) in the state folder under the
 * name rotateVault gave it: release it where it was taken.
 */
function releaseLockOf(
  options: { vaultPath: string; table?: string | undefined; checkpointDir?: string | undefined },
  threadId: number,
): void {
  try {
    const base =
      options.table === undefined
        ? options.vaultPath
        : rotationStateBase(options.vaultPath, options.table, options.checkpointDir).base;
    releaseRotationLockOfThread(base, threadId);
  } catch {
    // A connection string that does not parse was never locked.
  }
}

function workerFailed(what: string): IpcError {
  return {
    code: 'WORKER_FAILED',
    message: `The background task stopped unexpectedly: ${what}. Nothing is half-written; try again, and if a rotation was running, resume it.`,
  };
}
