/**
 * Worker-thread entry (built as out/main/workers/engine-host.cjs): runs one engine
 * operation for VaultService and posts its progress and outcome. A "cancel"
 * message aborts the job, which stops after the batch in progress. Being
 * terminated instead is safe too: every batch is one SQLite transaction and
 * the checkpoint is written after each, so the vault stays consistent and the
 * rotation resumable.
 */
import { parentPort } from 'node:worker_threads';
import {
  cancelRotation,
  checkDistributedRotation,
  coordinateRotation,
  inspectVault,
  preflightRotation,
  readRotationStatus,
  rotateVault,
  verifyVault,
  type PreflightProgress,
  type PreflightResult,
} from '../../engine/index.js';
import type {
  HostCommand,
  HostProgress,
  HostReply,
  HostRequest,
  HostResults,
} from './engine-host-protocol.js';
import { toIpcError } from '../common/ipc-errors.js';

const port = parentPort;
if (!port) throw new Error('engine-host.ts must run in a worker thread.');

const abort = new AbortController();
let started = false;

function post(reply: HostReply): void {
  port?.postMessage(reply);
}

/** Every operation's progress crosses the same way; VaultService knows which kind it started. */
const onProgress = (progress: HostProgress[keyof HostProgress]): void =>
  post({ type: 'progress', progress });

/** A rotation's own check is the pre-flight the app shows (no separate check job), on one machine or many. */
const ownCheck = {
  onPreflightProgress: (progress: PreflightProgress) =>
    post({ type: 'preflight-progress', progress }),
  onPreflight: (result: PreflightResult) => post({ type: 'preflight', result }),
};

async function run(request: HostRequest): Promise<HostResults[keyof HostResults]> {
  const signal = abort.signal;
  switch (request.type) {
    case 'info':
      return inspectVault(request.options);
    case 'preflight':
      return preflightRotation({ ...request.options, signal, onProgress });
    case 'rotate':
      return rotateVault({ ...request.options, lockTool: 'app', signal, onProgress, ...ownCheck });
    case 'verify':
      return verifyVault({ ...request.options, signal, onProgress });
    case 'coordinate':
      return coordinateRotation({ ...request.options, signal, onProgress, ...ownCheck });
    case 'distributed-check':
      return checkDistributedRotation(request.options.target, request.options.queue);
    case 'distributed-status':
      return readRotationStatus(request.options.target);
    case 'distributed-cancel':
      return cancelRotation(request.options.target);
  }
}

/** The passwords this host received (vault passwords, a server's database password, Redis's); zeroed once the job is over. */
function passwordsOf(request: HostRequest): Uint8Array[] {
  const present = (...bytes: (Uint8Array | undefined)[]): Uint8Array[] =>
    bytes.filter((password) => password !== undefined);
  switch (request.type) {
    case 'info':
      return present(request.options.serverPassword);
    case 'preflight':
      return present(request.options.oldPassword, request.options.serverPassword);
    case 'rotate':
      return present(
        request.options.oldPassword,
        request.options.newPassword,
        request.options.serverPassword,
      );
    case 'verify':
      return present(request.options.password, request.options.serverPassword);
    case 'coordinate':
      return present(
        request.options.oldPassword,
        request.options.newPassword,
        request.options.target.open?.serverPassword,
        request.options.queue.password,
      );
    case 'distributed-check':
      return present(request.options.target.open?.serverPassword, request.options.queue.password);
    case 'distributed-status':
    case 'distributed-cancel':
      return present(request.options.target.open?.serverPassword);
  }
}

port.on('message', (command: HostCommand) => {
  if (command.type === 'cancel') {
    abort.abort();
    return;
  }
  if (started) return; // one operation per host
  started = true;
  run(command)
    .then((value) => post({ type: 'done', value }))
    .catch((error: unknown) => post({ type: 'failed', error: toIpcError(error) }))
    .finally(() => {
      for (const password of passwordsOf(command)) password.fill(0);
      port.close();
    });
});
