/**
 * A run killed at the wrong moment leaves temporary files behind: the
 * checkpoint's `<checkpoint>.<pid>.tmp`, and hidden copies of the vault from a
 * backup (`.<name>.backup-<time>.db.<hex>.tmp`, with its -journal) or from a
 * sql.js write (`.<vault file>.<hex>.tmp`). The next run removes them: they
 * are partial copies of the vault that nobody will ever use.
 *
 * A checkpoint temp belongs to a process id: it is stale when that process is
 * gone. Vault copies carry no owner, so they are stale once nothing has
 * written to them for a while (a live backup keeps touching its file).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

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

function removeIf(path: string, stale: boolean, removed: string[]): void {
  if (!stale) return;
  try {
    rmSync(path, { force: true });
    removed.push(path);
  } catch {
    // not ours to fight over: a file we cannot remove stays
  }
}

/** Removes stale temporary files next to the vault and its checkpoint; returns their paths. */
export function removeStaleTempFiles(
  vaultPath: string,
  checkpointPath: string,
  nowMs: number = Date.now(),
): string[] {
  const removed: string[] = [];

  const checkpointTemp = new RegExp(`^${escapeRegExp(basename(checkpointPath))}\\.(\\d+)\\.tmp$`);
  for (const name of listFolder(dirname(checkpointPath))) {
    const pid = checkpointTemp.exec(name)?.[1];
    if (pid !== undefined)
      removeIf(join(dirname(checkpointPath), name), !processAlive(Number(pid)), removed);
  }

  const vaultFile = basename(vaultPath);
  const stem = basename(vaultPath, extname(vaultPath));
  const vaultCopy = new RegExp(
    `^\\.(?:${escapeRegExp(vaultFile)}|${escapeRegExp(stem)}\\.backup-[0-9-]+\\.db)\\.[0-9a-f]+\\.tmp(?:-journal)?$`,
  );
  for (const name of listFolder(dirname(vaultPath))) {
    if (!vaultCopy.test(name)) continue;
    const path = join(dirname(vaultPath), name);
    let idleMs = 0;
    try {
      idleMs = nowMs - statSync(path).mtimeMs;
    } catch {
      continue;
    }
    removeIf(path, idleMs >= STALE_AFTER_MS, removed);
  }
  return removed;
}
