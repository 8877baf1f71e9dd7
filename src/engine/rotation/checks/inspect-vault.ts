/**
 * What a vault holds and what was left unfinished in it: the tables with
 * their counts, and the rotation a cancel or crash left resumable, with the
 * settings its resume must repeat. Read-only. The CLI's `info` and the app's
 * vault screen show it; the app's resume dialog is filled from it.
 *
 * A checkpoint holds no secret; the inspection copies only its settings,
 * times and counts (not the canaries, the proof records or the cursor).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UnfinishedRotation, VaultInspection, VaultTableInfo } from '../../../core/types.js';
import { isEngineError } from '../../errors.js';
import { isServerTarget, openVault, type VaultDriverPreference } from '../../storage/index.js';
import {
  absoluteVaultPath,
  checkpointPathFor,
  readCheckpoint,
  type RotationCheckpoint,
} from '../state/checkpoint.js';
import {
  serverStateBase,
  serverStateDir,
  serverStatePrefix,
  stateFolderProblem,
} from '../state/state-paths.js';
import { recordCountsOf } from '../job/record-counts.js';

export interface InspectVaultOptions {
  readonly vaultPath: string;
  /** where rotations of this vault keep their checkpoint (as given to rotateVault) */
  readonly checkpointDir?: string | undefined;
  readonly driver?: VaultDriverPreference | undefined;
  /** better-sqlite3 `nativeBinding` path (Electron build of the addon) */
  readonly nativeBinding?: string | undefined;
  /** "now" for the expired and soft-deleted counts; default: current time */
  readonly now?: Date | undefined;
  /** a vault in a database server (vaultPath is its connection string): its password, bytes the caller zeroes */
  readonly serverPassword?: Uint8Array | undefined;
}

export async function inspectVault(options: InspectVaultOptions): Promise<VaultInspection> {
  const store = await openVault(options.vaultPath, {
    readOnly: true,
    driver: options.driver,
    nativeBinding: options.nativeBinding,
    serverPassword: options.serverPassword,
  });
  let info;
  try {
    // Awaited: the store's calls may answer asynchronously.
    info = await store.info(options.now);
  } finally {
    await store.close();
  }
  if (isServerTarget(options.vaultPath)) {
    const found = unfinishedServerRotations(options);
    return {
      ...info,
      unfinishedRotations: found.rotations.map((rotation) => describe(rotation, info.tables)),
      checkpointProblem: found.problems.length === 0 ? null : found.problems.join('\n'),
    };
  }
  const found = unfinishedRotationOf(options);
  return {
    ...info,
    unfinishedRotations: found.rotation ? [describe(found.rotation, info.tables)] : [],
    checkpointProblem: found.problem,
  };
}

interface FoundCheckpoint {
  readonly path: string;
  readonly checkpoint: RotationCheckpoint;
}

const CHECKPOINT_SUFFIX = '.rotation-checkpoint.json';

/**
 * A server keeps one checkpoint per table in the local state folder: every
 * checkpoint there of this server and database, including tables dropped since
 * (the name is only a filter: the checkpoint's own identity must match).
 */
function unfinishedServerRotations(options: InspectVaultOptions): {
  rotations: FoundCheckpoint[];
  problems: string[];
} {
  const folder = serverStateDir(options.checkpointDir);
  // Checkpoints another account could have planted are not read.
  const exposed = stateFolderProblem(options.checkpointDir);
  if (exposed !== null) return { rotations: [], problems: [exposed] };
  const prefix = serverStatePrefix(options.vaultPath).slice(0, 120);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return { rotations: [], problems: [] }; // no state folder: no rotation ever ran from here
  }
  const rotations: FoundCheckpoint[] = [];
  const problems: string[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith(prefix) || !name.endsWith(CHECKPOINT_SUFFIX)) continue;
    const path = join(folder, name);
    let checkpoint: RotationCheckpoint | null;
    try {
      checkpoint = readCheckpoint(path);
    } catch (error) {
      if (isEngineError(error)) problems.push(error.message);
      else throw error;
      continue;
    }
    // Another user name or server with the same readable name: not this target's.
    if (!checkpoint) continue;
    const base = serverStateBase(options.vaultPath, checkpoint.table, options.checkpointDir);
    if (checkpoint.vaultPath === base) rotations.push({ path, checkpoint });
  }
  return { rotations, problems };
}

interface CheckpointFinding {
  readonly rotation: { readonly path: string; readonly checkpoint: RotationCheckpoint } | null;
  readonly problem: string | null;
}

/** A file: one checkpoint per vault (its name follows the vault file), so at most one unfinished rotation. */
function unfinishedRotationOf(options: InspectVaultOptions): CheckpointFinding {
  const exposed =
    options.checkpointDir === undefined ? null : stateFolderProblem(options.checkpointDir);
  if (exposed !== null) return { rotation: null, problem: exposed };
  return checkpointAt(
    checkpointPathFor(options.vaultPath, options.checkpointDir),
    absoluteVaultPath(options.vaultPath),
  );
}

/** The checkpoint at `path`, if it belongs to `vaultPath` (a file's real path, or a server table's state base). */
function checkpointAt(path: string, vaultPath: string): CheckpointFinding {
  let checkpoint: RotationCheckpoint | null;
  try {
    checkpoint = readCheckpoint(path);
  } catch (error) {
    // A damaged checkpoint must not stop the vault from opening: it is reported, and refused when resuming.
    if (isEngineError(error)) return { rotation: null, problem: error.message };
    throw error;
  }
  if (!checkpoint) return { rotation: null, problem: null };
  if (checkpoint.vaultPath !== vaultPath) {
    return {
      rotation: null,
      problem:
        `The checkpoint ${path} belongs to a rotation of another file (${checkpoint.vaultPath}), ` +
        'so it cannot be resumed here (the file was probably copied or moved with it). Delete it, ' +
        'or resume the rotation on that file.',
    };
  }
  return { rotation: { path, checkpoint }, problem: null };
}

/** Field by field, so nothing else of the checkpoint (canaries, proof, cursor) leaves the engine. */
function describe(found: FoundCheckpoint, tables: readonly VaultTableInfo[]): UnfinishedRotation {
  const { checkpoint } = found;
  const table = tables.find((candidate) => candidate.name === checkpoint.table);
  return {
    table: checkpoint.table,
    checkpointPath: found.path,
    openConfig: { ...checkpoint.openConfig },
    writeConfig: { ...checkpoint.writeConfig },
    includeSoftDeleted: checkpoint.includeSoftDeleted,
    startedAt: checkpoint.startedAt,
    updatedAt: checkpoint.updatedAt,
    counts: recordCountsOf(checkpoint.counts),
    recordsInScope: table
      ? checkpoint.includeSoftDeleted
        ? table.records
        : table.records - table.softDeleted
      : null,
    backupPath: checkpoint.backupPath,
    runs: checkpoint.runs,
    redoFromStart: checkpoint.redoFromStart === true,
  };
}
