/**
 * The folders where the tool keeps its own state (checkpoints, locks, the
 * default backup of a server vault) must be ours alone, as ssh's StrictModes
 * wants of ~/.ssh: the folder and every folder above it (by the path given
 * and by its real path) owned by us or root, and not writable by group or
 * others. A parent that others may write is accepted only with the sticky
 * bit (/tmp): others cannot rename or remove what is ours in it. Anyone else
 * who could write there could swap a checkpoint or plant a link.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EngineError } from '../errors.js';

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/** Why `path` (or a folder above it) is not private to `uid`, or null when it is. */
export function folderExposure(path: string, uid: number): string | null {
  const given = resolve(path);
  let real: string;
  try {
    real = realpathSync(given);
  } catch {
    return null; // not there (yet): nothing to trust or distrust
  }
  for (const start of new Set([given, real])) {
    for (let at = start; ; at = dirname(at)) {
      const problem = entryExposure(at, at === start, uid);
      if (problem !== null) return problem;
      if (dirname(at) === at) break;
    }
  }
  return null;
}

function entryExposure(path: string, isTarget: boolean, uid: number): string | null {
  const stats = lstatSync(path);
  if (stats.uid !== uid && stats.uid !== 0) {
    return `${path} belongs to another account (uid ${stats.uid})`;
  }
  // A link's own mode means nothing; where it leads is checked through the real path.
  if (stats.isSymbolicLink()) return null;
  if ((stats.mode & GROUP_OR_OTHER_WRITE) === 0) return null;
  if (!isTarget && (stats.mode & STICKY) !== 0) return null;
  return `${path} can be written by ${(stats.mode & 0o002) !== 0 ? 'every account' : 'its group'} (mode ${(stats.mode & 0o7777).toString(8)})`;
}

/**
 * Refuses a state folder someone else could change (CHECKPOINT, saying what
 * to do). Where accounts have no uid (Windows), there is nothing to check.
 */
export function assertPrivateFolder(path: string, purpose: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const problem = folderExposure(path, uid);
  if (problem === null) return;
  throw new EngineError(
    'CHECKPOINT',
    `The folder ${resolve(path)} for ${purpose} is not private: ${problem}. Another account could replace ` +
      'or plant what the tool keeps there. Nothing was written. Use a folder that only you own and can write ' +
      '(e.g. chmod go-w on it, and on the folders above it), or name another with --checkpoint-dir DIR.',
  );
}
