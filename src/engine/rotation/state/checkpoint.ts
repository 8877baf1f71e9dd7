/**
 * The resume point of a rotation, kept outside the vault. It holds no secret
 * and nothing about which record has which password: "every record with a key
 * up to `cursor` is done", cumulative counts, the job's settings, and what
 * lets a resume prove it continues the same rotation (resume-proof.ts): two
 * canaries (random throwaway plaintexts sealed with the old and the new
 * password) and the keys and value hashes of a few records it rotated.
 * Written atomically (temp file + rename) after each committed batch.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Argon2Config } from '../../../core/argon2.js';
import { EngineError } from '../../errors.js';
import { entryKind, removeRegularFile, writePrivateFileAtomically } from '../../fs/private-file.js';
import { describeArgon2Config, sameArgon2Config } from '../plan/argon2-spec.js';
import { filterMismatch, isSavedScope, type SavedScope } from '../job/record-scope.js';
import type { RecordCounts } from '../types.js';

export const CHECKPOINT_FORMAT = 'vaultstore-admin-rotation-checkpoint';
const CHECKPOINT_VERSION = 2;

/** `table` and the filter: the records the rotation works on (record-scope.ts). */
export interface RotationCheckpoint extends SavedScope {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: number;
  /** absolute path of the vault file */
  readonly vaultPath: string;
  /** every record with a key up to the cursor is done; null: none yet */
  readonly cursor: string | null;
  /** what the cursor is: a rowid, or an id of a WITHOUT ROWID table */
  readonly keyKind: 'rowid' | 'id';
  /** random throwaway plaintexts sealed with the old (open config) and new (write config) password */
  readonly canaries: { readonly old: string; readonly new: string };
  /** a few records this rotation wrote: key and SHA-256 of the value it wrote */
  readonly proof: readonly RotationProof[];
  /** over all runs, as of the cursor */
  readonly counts: RecordCounts;
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
  readonly backupPath: string | null;
  /** ISO times */
  readonly startedAt: string;
  readonly updatedAt: string;
  /** runs that contributed (1 for the first) */
  readonly runs: number;
  /**
   * The run stopped in its final sweep (records other programs wrote during
   * it). What it had left in each record is lost with it, so a resume
   * re-examines every record from the start (cursor null, counts from zero).
   */
  readonly redoFromStart?: boolean;
  /**
   * The batch being committed when this checkpoint was written (records
   * after the cursor and the SHA-256 of the value written to each). A run
   * killed after that commit but before its next checkpoint leaves these
   * records rotated: a resume counts the ones still holding that value as
   * rotated by this rotation, not as skipped.
   */
  readonly inFlight?: readonly RotationProof[];
}

export interface RotationProof {
  readonly key: string;
  readonly sha256: string;
}

/** The settings a resumed run must share with the checkpoint: the vault, the records, the Argon2id configs. */
export interface CheckpointIdentity extends SavedScope {
  readonly vaultPath: string;
  readonly openConfig: Argon2Config;
  readonly writeConfig: Argon2Config;
}

/** The vault file's real absolute path (symlinks resolved when it exists): its identity in a checkpoint. */
export function absoluteVaultPath(vaultPath: string): string {
  try {
    return realpathSync(vaultPath);
  } catch {
    return resolve(vaultPath);
  }
}

/**
 * Default `<vault file>.rotation-checkpoint.json`; in `checkpointDir` the name
 * also carries a hash of the vault's absolute path (two vaults may share a name).
 */
export function checkpointPathFor(vaultPath: string, checkpointDir?: string): string {
  const absolute = absoluteVaultPath(vaultPath);
  if (!checkpointDir) return `${absolute}.rotation-checkpoint.json`;
  const tag = createHash('sha256').update(absolute).digest('hex').slice(0, 12);
  return join(resolve(checkpointDir), `${basename(absolute)}-${tag}.rotation-checkpoint.json`);
}

/** null when there is none; CHECKPOINT when it exists but cannot be used. */
export function readCheckpoint(path: string): RotationCheckpoint | null {
  let text: string;
  try {
    // Never read through a link someone else may have planted at the checkpoint's name.
    const stats = lstatSync(path);
    if (!stats.isFile()) {
      throw checkpointPathTakenError(path, stats.isSymbolicLink() ? 'symbolic link' : 'other');
    }
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (error instanceof EngineError) throw error;
    throw new EngineError(
      'CHECKPOINT',
      `The checkpoint ${path} cannot be read (${String(error)}).`,
      { cause: error },
    );
  }
  try {
    const parsed = JSON.parse(text) as Partial<RotationCheckpoint>;
    if (
      parsed.format === CHECKPOINT_FORMAT &&
      parsed.version === CHECKPOINT_VERSION &&
      isComplete(parsed)
    ) {
      return parsed;
    }
  } catch {
    // reported below
  }
  throw new EngineError(
    'CHECKPOINT',
    `The checkpoint ${path} is damaged or from another version. Delete it and run the rotation again without resuming ` +
      '(records already rotated do not open with the old password, so they are not rotated twice).',
  );
}

function isComplete(value: Partial<RotationCheckpoint>): value is RotationCheckpoint {
  return (
    typeof value.vaultPath === 'string' &&
    isSavedScope(value) &&
    (value.cursor === null || typeof value.cursor === 'string') &&
    (value.keyKind === 'rowid' || value.keyKind === 'id') &&
    typeof value.canaries?.old === 'string' &&
    typeof value.canaries.new === 'string' &&
    Array.isArray(value.proof) &&
    value.proof.every((p) => typeof p?.key === 'string' && typeof p.sha256 === 'string') &&
    typeof value.counts === 'object' &&
    value.counts !== null &&
    typeof value.openConfig === 'object' &&
    typeof value.writeConfig === 'object' &&
    (value.backupPath === null || typeof value.backupPath === 'string') &&
    typeof value.runs === 'number' &&
    (value.inFlight === undefined ||
      (Array.isArray(value.inFlight) &&
        value.inFlight.every((p) => typeof p?.key === 'string' && typeof p.sha256 === 'string')))
  );
}

/**
 * Atomic: a killed process leaves the old or the new checkpoint, never a torn
 * one. Durable before it is trusted: the file and its folder are fsynced
 * before this returns. Private and link-proof: a 0600 temporary with a random
 * name, created exclusively (src/engine/fs/private-file.ts); a link or other
 * non-file at the checkpoint path is refused, never written through.
 */
export function writeCheckpoint(path: string, checkpoint: RotationCheckpoint): void {
  try {
    const kind = entryKind(path);
    if (kind !== null && kind !== 'file') throw checkpointPathTakenError(path, kind);
    writePrivateFileAtomically(path, JSON.stringify(checkpoint, null, 2) + '\n');
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw checkpointWriteError(path, error);
  }
}

function checkpointPathTakenError(path: string, kind: string): EngineError {
  return new EngineError(
    'CHECKPOINT',
    `The rotation checkpoint ${path} was not written: a ${kind === 'symbolic link' ? 'symbolic link' : 'non-file'} ` +
      'is at its name, and the tool never writes through one (another account may have put it there). ' +
      'Remove it and check who can write to that folder, or keep checkpoints elsewhere (CLI: --checkpoint-dir DIR); ' +
      'then run the rotation again.',
  );
}

/** A disk that is full or read-only where the checkpoint lives: say so, and where else it can go. */
function checkpointWriteError(path: string, error: unknown): EngineError {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const elsewhere = 'or keep checkpoints on another disk (CLI: --checkpoint-dir DIR)';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EngineError(
      'DISK_FULL',
      `The disk is full: the rotation checkpoint ${path} cannot be written, so the job stopped. ` +
        `Free some disk space, ${elsewhere}, and run the rotation again (with resume if it had started).`,
      { cause: error },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new EngineError(
      'READ_ONLY',
      `The rotation checkpoint ${path} cannot be written (${code}). Make its folder writable, ${elsewhere}.`,
      { cause: error },
    );
  }
  return new EngineError(
    'IO',
    `Writing the rotation checkpoint ${path} failed (${code}). Check the disk, ${elsewhere}, and try again.`,
    { cause: error },
  );
}

/** Only a regular file: a link at the checkpoint path is not ours to delete (nor is its target). */
export function deleteCheckpoint(path: string): void {
  removeRegularFile(path);
}

/**
 * The checkpoint for a resume: null when there is none (the caller starts
 * from the beginning and says so); CHECKPOINT with what to do when it was
 * made by a different job.
 */
export function checkpointForResume(
  path: string,
  expected: CheckpointIdentity,
): RotationCheckpoint | null {
  const checkpoint = readCheckpoint(path);
  if (!checkpoint) return null;
  const mismatch = describeMismatch(checkpoint, expected);
  if (mismatch) {
    throw new EngineError(
      'CHECKPOINT',
      `The checkpoint ${path} belongs to a different rotation (${mismatch}). Resume with the same settings, ` +
        'or start over (records already rotated are not rotated twice).',
    );
  }
  return checkpoint;
}

/** A plain (not resuming) rotation refuses to silently discard an unfinished one. */
export function unfinishedRotationError(path: string, checkpoint: RotationCheckpoint): EngineError {
  const done = checkpoint.counts.scanned;
  return new EngineError(
    'UNFINISHED_ROTATION',
    `An unfinished rotation of table ${checkpoint.table} exists (started ${checkpoint.startedAt}, ${done} record(s) ` +
      `done; checkpoint ${path}). Resume it with the same passwords (CLI: --resume), or discard it and start ` +
      'over (CLI: --restart; records it already rotated are not rotated twice).',
  );
}

function describeMismatch(
  checkpoint: RotationCheckpoint,
  expected: CheckpointIdentity,
): string | null {
  if (checkpoint.vaultPath !== expected.vaultPath) return `it is for ${checkpoint.vaultPath}`;
  if (checkpoint.table !== expected.table)
    return `it is for table ${checkpoint.table}, not ${expected.table}`;
  if (!sameArgon2Config(checkpoint.openConfig, expected.openConfig)) {
    return `its Argon2id config to open values is ${describeArgon2Config(checkpoint.openConfig)}`;
  }
  if (!sameArgon2Config(checkpoint.writeConfig, expected.writeConfig)) {
    return `its Argon2id config for new values is ${describeArgon2Config(checkpoint.writeConfig)}`;
  }
  return filterMismatch(checkpoint, expected);
}
