/**
 * Files the tool creates next to a vault (checkpoint, temporary copies,
 * backup, app files) live in folders other accounts may be able to write
 * (the application's service account). So every such file is:
 *
 * - created exclusively (O_CREAT|O_EXCL, plus O_NOFOLLOW where the platform
 *   has it): a name someone planted, a symbolic link included, makes the
 *   open fail instead of writing through it;
 * - private from its first byte (mode 0600 at creation, never widened while
 *   it is incomplete);
 * - written under a random temporary name (not the pid, which others can
 *   guess) and published by rename, which replaces a link itself and never
 *   follows it, or by a hard link, which refuses anything already there;
 * - removed by cleanups only when lstat says it is a regular file: a link is
 *   never followed and never deleted.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** 0 where the platform has no O_NOFOLLOW (Windows): O_EXCL alone still refuses an existing link. */
const NO_FOLLOW: number = (constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0;
const CREATE_EXCLUSIVE = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NO_FOLLOW;

export const PRIVATE_FILE_MODE = 0o600;

/** Permissions and owner a finished file takes before it is published. */
export interface FileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * `replace`: rename over whatever is at the destination (a link there is
 * replaced, its target untouched). `no-replace`: fail with EEXIST if anything
 * is there, a dangling link included.
 */
export type PublishMode = 'replace' | 'no-replace';

export interface PrivateWriteOptions {
  readonly publish?: PublishMode;
  /** applied through the descriptor once the content is complete */
  readonly ownership?: FileOwnership;
  /** last check before publishing; throwing cancels the write */
  readonly beforePublish?: () => void;
}

/** Creates `path` for writing, 0600, failing (EEXIST/ELOOP) if anything is there. Returns the descriptor. */
export function createPrivateFile(path: string): number {
  return openSync(path, CREATE_EXCLUSIVE, PRIVATE_FILE_MODE);
}

/** `.<name>.<16 random hex>.tmp` in the destination's folder (same filesystem, so rename is atomic). */
export function randomTemporaryPath(destinationPath: string): string {
  const suffix = randomBytes(8).toString('hex');
  return join(dirname(destinationPath), `.${basename(destinationPath)}.${suffix}.tmp`);
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
}

/** What is at `path` without following a link: null (nothing), 'file', 'symbolic link' or 'other'. */
export function entryKind(path: string): null | 'file' | 'symbolic link' | 'other' {
  const stats = lstatOrNull(path);
  if (!stats) return null;
  if (stats.isSymbolicLink()) return 'symbolic link';
  return stats.isFile() ? 'file' : 'other';
}

/**
 * Makes a rename (or a new name) durable. Windows cannot open folders, and
 * some filesystems refuse to fsync them: there the rename is still atomic,
 * only its durability is up to the OS. A real I/O error is reported.
 */
export function fsyncFolder(folder: string): void {
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = openSync(folder, constants.O_RDONLY);
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!['EINVAL', 'EISDIR', 'ENOTSUP', 'EBADF', 'EPERM', 'EACCES'].includes(errnoOf(error) ?? ''))
      throw error;
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

function applyOwnership(fd: number, ownership: FileOwnership | undefined): void {
  if (!ownership) return;
  fchmodSync(fd, ownership.mode & 0o7777);
  try {
    fchownSync(fd, ownership.uid, ownership.gid);
  } catch {
    // Only root may give a file away; an ordinary user's file is theirs already.
  }
}

/** Still the file we created (nobody renamed it away and put something else under its name)? */
function sameEntry(path: string, fd: number): boolean {
  const atPath = lstatOrNull(path);
  const ours = fstatSync(fd);
  return atPath !== null && atPath.isFile() && atPath.ino === ours.ino && atPath.dev === ours.dev;
}

function alreadyExists(path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`EEXIST: file already exists, '${path}'`);
  error.code = 'EEXIST';
  error.path = path;
  return error;
}

function publish(temporary: string, destination: string, mode: PublishMode): void {
  if (mode === 'replace') {
    renameSync(temporary, destination);
    return;
  }
  try {
    // link(2) never replaces and never follows a link at the destination
    linkSync(temporary, destination);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw error;
    // Filesystems without hard links (FAT, some network shares): check, then
    // rename. Something planted in between is replaced, never followed.
    if (lstatOrNull(destination)) throw alreadyExists(destination);
    renameSync(temporary, destination);
    return;
  }
  unlinkSync(temporary);
}

/**
 * Removes `path` only if it is a regular file (lstat: a link is never
 * followed, never deleted) and `recognise` accepts it. Returns whether it did.
 */
export function removeRegularFile(
  path: string,
  recognise: (stats: Stats) => boolean = () => true,
): boolean {
  try {
    const stats = lstatSync(path);
    if (!stats.isFile() || !recognise(stats)) return false;
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes a temporary we created, if it is still ours (same inode), and SQLite's journal beside it. */
function discardTemporary(temporary: string, ours: Stats | null): void {
  if (ours)
    removeRegularFile(temporary, (stats) => stats.ino === ours.ino && stats.dev === ours.dev);
  removeRegularFile(`${temporary}-journal`);
}

/**
 * Atomic private write: exclusive 0600 temporary with a random name, write,
 * fsync, publish, fsync the folder. On any failure the temporary is removed
 * and the destination is as it was.
 */
export function writePrivateFileAtomically(
  destinationPath: string,
  content: Uint8Array | string,
  options: PrivateWriteOptions = {},
): void {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const temporary = randomTemporaryPath(destinationPath);
  const fd = createPrivateFile(temporary);
  let ours: Stats | null = null;
  try {
    ours = fstatSync(fd);
    writeAll(fd, bytes);
    fsyncSync(fd);
    applyOwnership(fd, options.ownership);
    closeSync(fd);
    options.beforePublish?.();
    publish(temporary, destinationPath, options.publish ?? 'replace');
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    discardTemporary(temporary, ours);
    throw error;
  }
  fsyncFolder(dirname(destinationPath));
}

/**
 * The same for content another writer produces by path (SQLite's backup API):
 * the temporary exists, empty and 0600, before `produce` opens it, so the
 * writer never creates it with its own (wider) mode. Before publishing, the
 * name must still be the file we created.
 */
export async function producePrivateFileAtomically(
  destinationPath: string,
  produce: (temporaryPath: string) => Promise<void>,
  options: PrivateWriteOptions = {},
): Promise<void> {
  const temporary = randomTemporaryPath(destinationPath);
  const fd = createPrivateFile(temporary);
  let ours: Stats | null = null;
  let open = true;
  try {
    ours = fstatSync(fd);
    await produce(temporary);
    if (!sameEntry(temporary, fd)) {
      throw new Error(
        `the temporary file ${temporary} was replaced by another program while it was written`,
      );
    }
    fsyncSync(fd);
    applyOwnership(fd, options.ownership);
    // Closed only now: closing a descriptor drops the POSIX locks SQLite holds on the same file.
    closeSync(fd);
    open = false;
    options.beforePublish?.();
    publish(temporary, destinationPath, options.publish ?? 'replace');
  } catch (error) {
    if (open) closeSync(fd);
    discardTemporary(temporary, ours);
    throw error;
  }
  fsyncFolder(dirname(destinationPath));
}
