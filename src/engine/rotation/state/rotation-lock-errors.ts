/** The rotation lock's refusals: each says what happened and what to do. */
import { hostname } from 'node:os';
import { EngineError } from '../../errors.js';
import { errorCode, printable, toolName, type RotationLockHolder } from './rotation-lock-holder.js';

export function inProgressError(path: string, holder: RotationLockHolder): EngineError {
  const here = holder.host === hostname();
  const who =
    `pid ${holder.pid} on ${here ? 'this computer' : 'another computer'} (host ${printable(holder.host)}), ` +
    `started by ${toolName(holder.tool)} at ${printable(holder.startedAt)}`;
  const what = here
    ? 'Another rotation of this vault is running'
    : 'Another rotation of this vault may be running on another computer (its process cannot be checked from here)';
  return new EngineError(
    'ROTATION_IN_PROGRESS',
    `${what}: ${who}, holds the lock file ${path}. Wait for it to finish, or cancel it ` +
      '(Ctrl-C in its terminal, or Cancel in the app), then run this rotation again if it is still needed. ' +
      `If you are sure that process is gone, delete ${path} and try again.`,
  );
}

export function unusableLockError(path: string, problem: string): EngineError {
  return new EngineError(
    'ROTATION_LOCK',
    `The rotation lock file ${path} ${problem}, so this rotation did not start. Check that no other ` +
      'rotation of this vault is running, then delete that file and try again.',
  );
}

export function createError(path: string, error: unknown): EngineError {
  const code = errorCode(error);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new EngineError(
      'READ_ONLY',
      `The rotation lock ${path} cannot be created (${code}): the vault's folder must be writable for a rotation. ` +
        'Make it writable (or copy the vault to a writable folder) and try again.',
      { cause: error },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EngineError(
      'DISK_FULL',
      `The disk is full: the rotation lock ${path} cannot be written. Free some disk space and try again.`,
      { cause: error },
    );
  }
  return new EngineError(
    'IO',
    `The rotation lock ${path} cannot be created (${code}). Check the disk and the vault's folder, then try again.`,
    { cause: error },
  );
}

export function takeOverError(path: string, error: unknown): EngineError {
  return new EngineError(
    'ROTATION_LOCK',
    `The stale rotation lock ${path} (its process has ended) cannot be removed (${errorCode(error)}). ` +
      'Delete that file and try again.',
    { cause: error },
  );
}
