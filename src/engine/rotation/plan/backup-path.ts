/** Where the pre-rotation backup goes: next to the vault, named after it and the UTC time. */
import { existsSync, lstatSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { EngineError } from '../../errors.js';

function utcStamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

/** `<vault dir>/<name>.backup-<yyyymmdd-hhmmss>.db`, with -2, -3... if taken: never overwrites. */
export function defaultBackupPath(vaultPath: string, now: Date): string {
  const absolute = resolve(vaultPath);
  const name = basename(absolute, extname(absolute));
  const stem = join(dirname(absolute), `${name}.backup-${utcStamp(now)}`);
  let candidate = `${stem}.db`;
  for (let n = 2; existsSync(candidate); n++) candidate = `${stem}-${n}.db`;
  return candidate;
}

/** An explicit backup path must not exist yet: a backup never replaces a file. */
export function assertBackupPathFree(path: string): string {
  const absolute = resolve(path);
  // lstat: a dangling symbolic link is taken too (writing there would create its target).
  if (lstatSync(absolute, { throwIfNoEntry: false }) !== undefined) {
    throw new EngineError(
      'USAGE',
      `The backup file ${absolute} already exists. Choose another backup path or move that file away.`,
    );
  }
  return absolute;
}
