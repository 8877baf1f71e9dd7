/**
 * A run killed at the wrong moment leaves temporary files behind: the
 * checkpoint's `.<checkpoint file>.<hex>.tmp` (`<checkpoint>.<pid>.tmp` from
 * older versions), and hidden copies of the vault from a backup
 * (`.<name>.backup-<time>.db.<hex>.tmp`, with its -journal) or from a sql.js
 * write (`.<vault file>.<hex>.tmp`). The next run removes them: they are
 * partial copies that nobody will ever use.
 *
 * Temporaries carry no owner, so they are stale once nothing has written to
 * them for a while (a live writer keeps touching its file); an old-style
 * checkpoint temp is stale when its process is gone.
 *
 * Only regular files are removed (lstat): a symbolic link with one of these
 * names was not made by the tool, so it is never deleted, and never followed.
 */
import { readdirSync, type Stats } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { removeRegularFile } from '../../fs/private-file.js';

export const STALE_AFTER_MS = 60_000;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function listFolder(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** Removes stale temporary files next to the vault and its checkpoint; returns their paths. */
export function removeStaleTempFiles(
  vaultPath: string,
  checkpointPath: string,
  nowMs: number = Date.now(),
): string[] {
  const removed: string[] = [];
  const idle = (stats: Stats): boolean => nowMs - stats.mtimeMs >= STALE_AFTER_MS;
  const remove = (path: string, stale: (stats: Stats) => boolean): void => {
    if (removeRegularFile(path, stale)) removed.push(path);
  };

  const checkpointFolder = dirname(checkpointPath);
  const checkpointFile = escapeRegExp(basename(checkpointPath));
  const checkpointTemp = new RegExp(`^\\.${checkpointFile}\\.[0-9a-f]+\\.tmp$`);
  const legacyCheckpointTemp = new RegExp(`^${checkpointFile}\\.(\\d+)\\.tmp$`);
  for (const name of listFolder(checkpointFolder)) {
    const path = join(checkpointFolder, name);
    if (checkpointTemp.test(name)) remove(path, idle);
    const pid = legacyCheckpointTemp.exec(name)?.[1];
    if (pid !== undefined) remove(path, () => !processAlive(Number(pid)));
  }

  const vaultFile = basename(vaultPath);
  const stem = basename(vaultPath, extname(vaultPath));
  const vaultCopy = new RegExp(
    `^\\.(?:${escapeRegExp(vaultFile)}|${escapeRegExp(stem)}\\.backup-[0-9-]+\\.db)\\.[0-9a-f]+\\.tmp(?:-journal)?$`,
  );
  for (const name of listFolder(dirname(vaultPath))) {
    if (vaultCopy.test(name)) remove(join(dirname(vaultPath), name), idle);
  }
  return removed;
}
