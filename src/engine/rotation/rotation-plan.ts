/**
 * Before a rotation runs: the option checks, the trigger policy and the
 * unfinished rotation to continue (or refuse to discard).
 */
import { EngineError } from '../errors.js';
import type { VaultStore } from '../storage/types.js';
import {
  checkpointForResume,
  readCheckpoint,
  unfinishedRotationError,
  type RotationCheckpoint,
} from './checkpoint.js';
import type { RotationOptions } from './types.js';
import { assertPositiveInteger, validateRotationInput } from './validation.js';

export function checkOptions(options: RotationOptions): void {
  validateRotationInput(options);
  assertPositiveInteger(options.workers, 'number of workers');
  assertPositiveInteger(options.batchSize, 'batch size');
  if (options.resume && options.dryRun) {
    throw new EngineError(
      'USAGE',
      'A dry run cannot resume a rotation. Drop one of the two options.',
    );
  }
  if (options.resume && options.restart) {
    throw new EngineError(
      'USAGE',
      'Resume continues an unfinished rotation and restart discards it: choose one.',
    );
  }
  if (options.dryRun && options.backupPath !== undefined) {
    throw new EngineError(
      'USAGE',
      'A dry run writes nothing, so it takes no backup. Drop the backup path.',
    );
  }
}

/** Triggers would run on every rotated record (copying old values, or undoing the update). */
export async function assertNoTriggers(
  store: VaultStore,
  table: string,
  allowed: boolean,
): Promise<string[]> {
  const triggers = await store.triggersOn(table);
  if (triggers.length > 0 && !allowed) {
    throw new EngineError(
      'TRIGGERS',
      `The table ${JSON.stringify(table)} in ${store.path} has trigger(s) ${triggers.map((t) => JSON.stringify(t)).join(', ')}, ` +
        'which would run on every record the rotation rewrites (an audit trigger can copy each old-password value ' +
        'elsewhere, another can undo the update). Nothing was changed. Review them with your application; to rotate ' +
        'anyway, allow triggers (CLI: --allow-triggers).',
    );
  }
  return triggers;
}

/** The unfinished rotation to continue (resume), or null; refuses to silently discard one. */
export function previousRotation(
  options: RotationOptions,
  checkpointPath: string,
  identity: Parameters<typeof checkpointForResume>[1],
  notes: string[],
): RotationCheckpoint | null {
  if (options.dryRun) return null;
  if (options.resume) {
    const previous = checkpointForResume(checkpointPath, identity);
    if (!previous) {
      notes.push(
        'There was no unfinished rotation to resume, so this run started from the beginning.',
      );
    }
    return previous;
  }
  const unfinished = readCheckpoint(checkpointPath);
  if (unfinished && !options.restart) throw unfinishedRotationError(checkpointPath, unfinished);
  if (unfinished) {
    notes.push(
      `Discarded the unfinished rotation started ${unfinished.startedAt} and started over.`,
    );
  }
  return null;
}
