/**
 * A small tmpfs to run out of disk space for real (tests run as root here).
 * Where mounting is not permitted the caller skips with the returned reason.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SmallDisk {
  readonly path: string;
  /** unmounts; safe to call twice */
  dispose(): void;
}

export function mountSmallDisk(
  path: string,
  sizeBytes: number,
): SmallDisk | { readonly skip: string } {
  mkdirSync(path, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', path], {
      stdio: 'pipe',
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return {
      skip: `cannot mount a tmpfs at ${path} (${stderr || String(error)}): skipping the disk-full test`,
    };
  }
  let mounted = true;
  return {
    path,
    dispose: () => {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
    },
  };
}

/** Fills the disk until the file system refuses one more byte. */
/** Fills the disk; `leaveBytes` are then given back (room for a small file such as the rotation lock). */
export function fillDisk(folder: string, leaveBytes = 0): number {
  const written = fillCompletely(folder);
  if (leaveBytes === 0) return written;
  truncateSync(join(folder, 'filler.bin'), Math.max(0, written - leaveBytes));
  return written - leaveBytes;
}

function fillCompletely(folder: string): number {
  const fd = openSync(join(folder, 'filler.bin'), 'w');
  const chunk = Buffer.alloc(4096, 0x5a);
  let written = 0;
  try {
    for (;;) {
      try {
        written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // The last partial block, byte by byte.
        try {
          for (;;) written += writeSync(fd, chunk, 0, 1);
        } catch {
          return written;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}
