/**
 * Publishing a file atomically: write a temporary file in the destination's
 * folder, fsync it, rename it over the destination, fsync the folder. Readers
 * see the old file or the new one, never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface FileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export function temporaryPathFor(destinationPath: string): string {
  const suffix = randomBytes(6).toString('hex');
  return join(dirname(destinationPath), `.${basename(destinationPath)}.${suffix}.tmp`);
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename durable. Some platforms (Windows) cannot open folders: best effort. */
export function fsyncFolder(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR where folders cannot be fsynced: the rename itself is still atomic.
  } finally {
    closeSync(fd);
  }
}

/** Same permissions as the file it replaces or copies; same owner where we may (root). */
function applyOwnership(path: string, ownership: FileOwnership | undefined): void {
  if (!ownership) return;
  chmodSync(path, ownership.mode & 0o7777);
  try {
    chownSync(path, ownership.uid, ownership.gid);
  } catch {
    // Not permitted for ordinary users, and not needed: the file is theirs.
  }
}

export interface AtomicWriteOptions {
  readonly ownership?: FileOwnership;
  /** last check before the rename; throwing cancels the write */
  readonly beforeRename?: () => void;
}

export function writeFileAtomicallySync(
  destinationPath: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const temporary = temporaryPathFor(destinationPath);
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      let offset = 0;
      while (offset < bytes.length) {
        offset += writeSync(fd, bytes, offset, bytes.length - offset);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    applyOwnership(temporary, options.ownership);
    options.beforeRename?.();
    renameSync(temporary, destinationPath);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncFolder(dirname(destinationPath));
}

/** Same, for content produced by an asynchronous writer (e.g. SQLite's backup API). */
export async function publishFileAtomically(
  destinationPath: string,
  produce: (temporaryPath: string) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temporary = temporaryPathFor(destinationPath);
  try {
    await produce(temporary);
    fsyncFile(temporary);
    applyOwnership(temporary, options.ownership);
    options.beforeRename?.();
    renameSync(temporary, destinationPath);
  } catch (error) {
    rmSync(temporary, { force: true });
    rmSync(`${temporary}-journal`, { force: true });
    throw error;
  }
  fsyncFolder(dirname(destinationPath));
}
