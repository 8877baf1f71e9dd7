/**
 * How a backup table tells what it is. A server backup table is built under
 * a name of its own and carries a table comment naming the rotation that
 * made it: "unfinished" while rows are copied, "backup" once complete. So a
 * copy cut short (MySQL's CREATE TABLE commits on its own; a lost
 * connection leaves the table behind) never looks like a real backup, and a
 * resume recognises what its own rotation left: an unfinished copy is
 * dropped and rebuilt, a complete one kept. A table without this rotation's
 * mark is never touched.
 */
import { createHash } from 'node:crypto';

const PREFIX = 'vaultstore-admin';

function assertTag(tag: string): void {
  // The mark goes into SQL text as a literal (COMMENT takes no parameter): hex digits only.
  if (!/^[0-9a-f]{16}$/.test(tag)) throw new Error(`not a rotation tag: ${JSON.stringify(tag)}`);
}

/** The mark of a complete backup made by the rotation `tag`. */
export function completeBackupComment(tag: string): string {
  assertTag(tag);
  return `${PREFIX} backup taken before rotation ${tag}`;
}

/** The mark of a copy still being made (never a backup). */
export function unfinishedBackupComment(tag: string): string {
  assertTag(tag);
  return `${PREFIX} UNFINISHED backup copy of rotation ${tag}: not a backup`;
}

/** Whether `comment` is one of the rotation `tag`'s marks (complete or unfinished). */
export function markedByRotation(comment: string | null, tag: string): boolean {
  return comment === completeBackupComment(tag) || comment === unfinishedBackupComment(tag);
}

/** The name a backup table is built under before it is renamed (at most 64 characters). */
export function unfinishedBackupName(newTable: string, tag: string): string {
  const digest = createHash('sha256').update(`${newTable}\0${tag}`).digest('hex');
  return `vsa_unfinished_${digest.slice(0, 24)}`;
}

/** A rotation's tag: a digest of its random canary (the same in every run of it, unknown to others). */
export function rotationTag(canary: string): string {
  return createHash('sha256').update(`${PREFIX}\0backup\0${canary}`).digest('hex').slice(0, 16);
}
