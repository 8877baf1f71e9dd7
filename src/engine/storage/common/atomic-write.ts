/**
 * Publishing a vault file atomically (the sql.js driver's writes, the
 * backups of both SQLite drivers and of the server drivers): write a private temporary file in the destination's
 * folder, fsync it, publish it, fsync the folder. Readers see the old file or
 * the new one, never a half-written one. The temporary is created exclusively,
 * 0600, under a random name (src/engine/fs/private-file.ts).
 */
import {
  producePrivateFileAtomically,
  writePrivateFileAtomically,
  type FileOwnership,
} from '../../fs/private-file.js';

export type { FileOwnership } from '../../fs/private-file.js';

export interface AtomicWriteOptions {
  readonly ownership?: FileOwnership;
  /** last check before the rename; throwing cancels the write */
  readonly beforeRename?: () => void;
  /**
   * A backup never replaces anything (EEXIST, a link included); a vault
   * rewrite replaces the vault file (its real path, resolved at open).
   */
  readonly noReplace?: boolean;
}

/**
 * A backup holds every secret under the password being retired: owner-only
 * whatever the vault's mode (its owner bits, never group/other), same owner
 * where we may (root).
 */
export function backupOwnership(vault: FileOwnership): FileOwnership {
  return { mode: vault.mode & 0o600, uid: vault.uid, gid: vault.gid };
}

export function writeFileAtomicallySync(
  destinationPath: string,
  bytes: Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  writePrivateFileAtomically(destinationPath, bytes, {
    publish: options.noReplace ? 'no-replace' : 'replace',
    ...(options.ownership ? { ownership: options.ownership } : {}),
    ...(options.beforeRename ? { beforePublish: options.beforeRename } : {}),
  });
}

/**
 * Same, for content produced by an asynchronous writer (SQLite's backup
 * API): the writer finds the temporary already created (empty, 0600) and
 * keeps its mode; SQLite gives its -journal the same mode as the file.
 */
export async function publishFileAtomically(
  destinationPath: string,
  produce: (temporaryPath: string) => Promise<void>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await producePrivateFileAtomically(destinationPath, produce, {
    publish: options.noReplace ? 'no-replace' : 'replace',
    ...(options.ownership ? { ownership: options.ownership } : {}),
    ...(options.beforeRename ? { beforePublish: options.beforeRename } : {}),
  });
}
