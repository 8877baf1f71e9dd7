/**
 * One rotation of a vault at a time, whoever runs it (CLI, app, a script):
 * an exclusive lock file `<real vault path>.rotation.lock` next to the vault.
 *
 * Taking it is one atomic step, open(O_CREAT|O_EXCL|O_WRONLY|O_NOFOLLOW):
 * the kernel lets exactly one process create the file. It holds who took it
 * (pid, host, tool, start time) and a random token that proves ownership.
 *
 * A lock whose process is gone (same host, pid not alive) is stale and taken
 * over. Several processes may judge the same stale lock at once, so taking
 * over is serialised by a second, short-lived lock, `<lock>.takeover`
 * (also O_EXCL): only its holder may delete the lock path, and only after
 * re-reading it under that lock and finding the very stale lock it judged
 * (same token). A lock created meanwhile is never removed: a normal create
 * never deletes anything, and every deletion happens under the takeover lock
 * after that check. Then everyone goes back to the O_EXCL create, which alone
 * decides who holds the lock. A takeover lock whose process died (killed in
 * those microseconds) is removed by the next taker.
 *
 * Locks are never followed through symbolic links: a link at the lock path is
 * refused, and the file it points to is neither read nor written.
 *
 * Threads: a lock names its process, so one taken by a worker thread that is
 * then terminated (no `finally` runs) looks held by a live process. Whoever
 * terminates such a thread calls releaseRotationLockOfThread once it has
 * exited (the app's HostJob does). An empty lock file (its creator died
 * between create and write) is reported as damaged: deleting it is the fix.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { EngineError } from '../../errors.js';
import { absoluteVaultPath } from './checkpoint.js';
import {
  createError,
  inProgressError,
  takeOverError,
  unusableLockError,
} from './rotation-lock-errors.js';
import {
  errorCode,
  isStale,
  currentBootId,
  printable,
  toolName,
  parseHolder,
  type RotationLockHolder,
} from './rotation-lock-holder.js';

export type { RotationLockHolder };

export const ROTATION_LOCK_SUFFIX = '.rotation.lock';
const LOCK_MODE = 0o600;
/** A lock file bigger than this is not one of ours. */
const MAX_LOCK_BYTES = 16 * 1024;
/** create / take-over rounds before giving up on a lock path that keeps changing */
const MAX_ROUNDS = 40;
/** Next to the lock: held only while a stale lock is being removed. */
const TAKEOVER_SUFFIX = '.takeover';
/** An empty or partial lock may be one whose creator has not written it yet: re-read for this long. */
const SETTLE_MS = 500;
const SETTLE_STEP_MS = 25;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export interface RotationLock {
  readonly path: string;
  readonly holder: RotationLockHolder;
  /** the stale lock this one replaced */
  readonly tookOver?: RotationLockHolder;
  /** a sentence for the result's notes when a stale lock was taken over */
  readonly note?: string;
  /** Removes the lock file if it is still this lock's (never follows a link, never throws). */
  release(): void;
}

export interface AcquireRotationLockOptions {
  /** who takes the lock: 'cli', 'app' or another name shown to whoever is refused */
  readonly tool: string;
}

export function rotationLockPathFor(vaultPath: string): string {
  return `${absoluteVaultPath(vaultPath)}${ROTATION_LOCK_SUFFIX}`;
}

type LockFileState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'held'; readonly holder: RotationLockHolder }
  | { readonly kind: 'link' }
  | { readonly kind: 'not-a-file' }
  | { readonly kind: 'damaged'; readonly detail: string };

export function acquireRotationLock(
  vaultPath: string,
  options: AcquireRotationLockOptions,
): RotationLock {
  const path = rotationLockPathFor(vaultPath);
  const bootId = currentBootId();
  const holder: RotationLockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    tool: options.tool,
    token: randomBytes(16).toString('hex'),
    ...(bootId !== undefined && { bootId }),
    threadId,
  };
  let tookOver: RotationLockHolder | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (tryCreate(path, holder)) return lockHandle(path, holder, tookOver);
    const state = readSettled(path);
    switch (state.kind) {
      case 'missing':
        continue; // released or taken over meanwhile: try the create again
      case 'link':
        throw unusableLockError(
          path,
          'is a symbolic link. A rotation lock is never a link, and this one was not followed',
        );
      case 'not-a-file':
        throw unusableLockError(path, 'is not a regular file');
      case 'damaged':
        throw unusableLockError(path, `cannot be used (${state.detail})`);
      case 'held':
        if (!isStale(state.holder)) throw inProgressError(path, state.holder);
        if (takeOverStale(path, state.holder)) tookOver = state.holder;
        continue;
    }
  }
  throw new EngineError(
    'ROTATION_LOCK',
    `The rotation lock ${path} kept changing while this rotation tried to take it: other programs are ` +
      'starting rotations of this vault at the same time. Let one of them finish, then try again.',
  );
}

/** The one atomic step: true when this process created the lock file. */
function tryCreate(path: string, holder: RotationLockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW,
      LOCK_MODE,
    );
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw createError(path, error);
  }
  try {
    fchmodSync(fd, LOCK_MODE); // the umask can only narrow it; make it exactly 0600
    const data = Buffer.from(`${JSON.stringify(holder)}\n`, 'utf8');
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written);
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw createError(path, error);
  }
  closeSync(fd);
  return true;
}

/** Reads the lock; an empty or partial one gets SETTLE_MS to be finished by its creator. */
function readSettled(path: string): LockFileState {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const state = readLockFile(path);
    if (state.kind !== 'damaged' || Date.now() >= deadline) return state;
    sleepSync(SETTLE_STEP_MS);
  }
}

function readLockFile(path: string): LockFileState {
  try {
    // lstat first: O_NOFOLLOW does not exist everywhere (Windows)
    if (lstatSync(path).isSymbolicLink()) return { kind: 'link' };
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'damaged', detail: `cannot be examined: ${errorCode(error)}` };
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP' || code === 'EMLINK') return { kind: 'link' };
    return { kind: 'damaged', detail: `cannot be read: ${code}` };
  }
  try {
    if (!fstatSync(fd).isFile()) return { kind: 'not-a-file' };
    const buffer = Buffer.alloc(MAX_LOCK_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_LOCK_BYTES) return { kind: 'damaged', detail: 'too large' };
    }
    const holder = parseHolder(buffer.subarray(0, length).toString('utf8'));
    return holder ? { kind: 'held', holder } : { kind: 'damaged', detail: 'not a rotation lock' };
  } catch (error) {
    return { kind: 'damaged', detail: `cannot be read: ${errorCode(error)}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the stale lock `judged` under the takeover lock (header comment);
 * true when we removed it. False when another process is taking over, or the
 * lock is no longer the one judged: the caller then goes back to the create.
 * Exported for tests.
 */
export function takeOverStale(path: string, judged: RotationLockHolder): boolean {
  const mutex = `${path}${TAKEOVER_SUFFIX}`;
  if (!claimTakeover(mutex)) {
    sleepSync(SETTLE_STEP_MS); // someone else is taking over: give them a moment
    return false;
  }
  try {
    const current = readLockFile(path);
    if (current.kind !== 'held' || current.holder.token !== judged.token) return false;
    try {
      unlinkSync(path); // a name, never what a link points to (and it is not a link: just read)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false;
      throw takeOverError(path, error);
    }
    return true;
  } finally {
    rmSync(mutex, { force: true });
  }
}

/** The takeover lock: true when we created it; an abandoned one (dead pid) is removed for the next round. */
function claimTakeover(mutex: string): boolean {
  const marker = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    tool: 'takeover',
    token: randomBytes(16).toString('hex'),
    threadId,
  };
  if (tryCreate(mutex, marker)) return true;
  const state = readLockFile(mutex);
  if (state.kind === 'held' && isStale(state.holder)) rmSync(mutex, { force: true });
  else if (state.kind === 'link' || state.kind === 'not-a-file') {
    throw unusableLockError(mutex, 'is not a takeover lock this tool made');
  }
  return false;
}

function lockHandle(
  path: string,
  holder: RotationLockHolder,
  tookOver: RotationLockHolder | undefined,
): RotationLock {
  let released = false;
  return {
    path,
    holder,
    ...(tookOver && {
      tookOver,
      note:
        `Took over a stale lock left by pid ${tookOver.pid} on ${printable(tookOver.host)} since ` +
        `${printable(tookOver.startedAt)} (${toolName(tookOver.tool)}; that process has ended).`,
    }),
    release: () => {
      if (released) return;
      released = true;
      const current = readLockFile(path);
      if (current.kind !== 'held' || current.holder.token !== holder.token) return;
      try {
        unlinkSync(path); // unlink removes a name, never what a link points to
      } catch {
        // already gone, or the folder became read-only: a stale lock is taken over next time
      }
    },
  };
}

/**
 * A worker thread that is terminated runs no `finally`, so the lock it held
 * stays, naming this (live) process. Its owner calls this once the thread has
 * exited: the lock is removed only if this process's thread `deadThreadId`
 * took it (thread ids are never reused within a process). Never throws.
 */
export function releaseRotationLockOfThread(vaultPath: string, deadThreadId: number): boolean {
  try {
    const path = rotationLockPathFor(vaultPath);
    const state = readLockFile(path);
    if (
      state.kind !== 'held' ||
      state.holder.pid !== process.pid ||
      state.holder.threadId !== deadThreadId ||
      deadThreadId === threadId
    ) {
      return false;
    }
    unlinkSync(path);
    return true;
  } catch {
    return false; // a lock left behind names this process: deleting it is in its message
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Refuses (ROTATION_IN_PROGRESS) while another rotation of the vault runs,
 * before a shell asks about its checkpoint: that checkpoint is the running
 * rotation's, not an unfinished one.
 */
export function assertNoRotationRunning(vaultPath: string, tool: string): void {
  acquireRotationLock(vaultPath, { tool }).release();
}
