/**
 * Where a rotation keeps its local files (lock, checkpoint, default backup):
 * beside a vault file, named after it; for a vault table in a database
 * server, in the tool's state folder, named after the server, database and
 * table, so two tables (or two servers) never share a checkpoint.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { assertPrivateFolder } from '../../fs/private-folder.js';
import { isServerTarget, parseServerTarget } from '../../storage/index.js';
import { absoluteVaultPath } from './checkpoint.js';

/** $XDG_STATE_HOME/vaultstore-admin, else ~/.local/state/vaultstore-admin */
export function defaultStateDir(): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'vaultstore-admin');
}

export interface RotationStateBase {
  /** the path the lock, checkpoint and default backup names are made from */
  readonly base: string;
  readonly server: boolean;
}

const STATE_PURPOSE = 'rotation checkpoints, locks and backups';

/**
 * For a file: its real absolute path. For a server: `<state dir>/<server>-<db>-<table>-<hash>`,
 * the folder created owner-only when missing (`stateDir` first, e.g. the CLI's --checkpoint-dir).
 * A state or checkpoint folder another account owns or can write is refused (CHECKPOINT).
 */
export function rotationStateBase(
  vaultPath: string,
  table: string,
  stateDir?: string,
): RotationStateBase {
  if (!isServerTarget(vaultPath)) {
    if (stateDir !== undefined) assertPrivateFolder(stateDir, STATE_PURPOSE);
    return { base: absoluteVaultPath(vaultPath), server: false };
  }
  const base = serverStateBase(vaultPath, table, stateDir);
  mkdirSync(dirname(base), { recursive: true, mode: 0o700 });
  assertPrivateFolder(dirname(base), STATE_PURPOSE);
  return { base, server: true };
}

/** Why the state folder cannot be trusted (a message), or null: for reports that only read it. */
export function stateFolderProblem(stateDir?: string): string | null {
  try {
    assertPrivateFolder(serverStateDir(stateDir), STATE_PURPOSE);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The state folder of a connection string: `stateDir` (e.g. the CLI's --checkpoint-dir) or the default. */
export function serverStateDir(stateDir?: string): string {
  return resolve(stateDir ?? defaultStateDir());
}

/** The start of every state name of the connection string's database (all its tables). */
export function serverStatePrefix(connectionString: string): string {
  const target = parseServerTarget(connectionString);
  return readableName(`${target.dialect}-${target.host}-${target.port}-${target.database}-`);
}

/** `<state dir>/<server>-<db>-<table>-<hash>` for a table of a server, without creating anything. */
export function serverStateBase(
  connectionString: string,
  table: string,
  stateDir?: string,
): string {
  const target = parseServerTarget(connectionString);
  const identity = `${target.display}\0${table}`;
  const tag = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const readable = readableName(
    `${target.dialect}-${target.host}-${target.port}-${target.database}-${table}`,
  ).slice(0, 120);
  return join(serverStateDir(stateDir), `${readable}-${tag}`);
}

/** No dots: the default backup name drops what looks like an extension (".1-5432-db-table-hash"). */
function readableName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_');
}
