/**
 * The coordinator's start, before the first job is enqueued: the rotation
 * to drive (the table's unfinished one re-attached to, once the passwords
 * and Argon2id settings given now are proven its own; else a new one
 * planned) and the backup asked for.
 */
import { EngineError } from '../errors.js';
import type { CryptoPool } from '../pool/crypto-pool.js';
import type { JobResources } from '../rotation/job/job-resources.js';
import { choosePoolSize } from '../rotation/job/pool-size.js';
import { describeArgon2Config, sameArgon2Config } from '../rotation/plan/argon2-spec.js';
import { assertBackupPathFree } from '../rotation/plan/backup-path.js';
import { BACKUP_TABLE_PREFIX } from '../rotation/plan/rotation-plan.js';
import { openCanaries } from '../rotation/state/resume-proof.js';
import { rotationTag } from '../storage/index.js';
import type { CoordinateOptions } from './coordinator-options.js';
import type { Ledger } from './ledger/ledger.js';
import { planDistributedRotation } from './plan-rotation.js';
import type { OpenedTarget } from './target.js';
import type { RotationRow } from './types.js';

/** The rotation to drive: the table's unfinished one (re-attached), or a new one planned now. */
export async function rotationToDrive(
  options: CoordinateOptions,
  opened: OpenedTarget,
  resources: JobResources,
  notes: string[],
  coordinator: string,
): Promise<RotationRow> {
  const { ledger, store, table } = opened;
  const existing = await ledger.activeRotation(table);
  const size = choosePoolSize(
    Math.max(1, options.localWorkers),
    [options.crypto.openConfig, options.crypto.writeConfig ?? options.crypto.openConfig],
    existing ? 2 : Number.MAX_SAFE_INTEGER,
  );
  const config = existing ?? {
    openConfig: options.crypto.openConfig,
    writeConfig: options.crypto.writeConfig ?? options.crypto.openConfig,
  };
  const pool = await resources.startPool({
    size,
    openConfig: config.openConfig,
    writeConfig: config.writeConfig,
    kdfBackend: options.crypto.kdfBackend,
  });
  try {
    if (existing) return await reattach(options, ledger, existing, pool, notes);
    if (options.resume) {
      notes.push(
        'There was no unfinished distributed rotation to resume, so this one started from the beginning.',
      );
    }
    return await planDistributedRotation({
      store,
      ledger,
      table,
      pool,
      resources,
      crypto: options.crypto,
      includeSoftDeleted: options.includeSoftDeleted,
      shards: options.shards,
      expectedWorkers: options.expectedWorkers,
      coordinator,
      signal: options.signal,
      onPreflightProgress: options.onPreflightProgress,
      onPreflight: options.onPreflight,
    });
  } finally {
    // The local worker starts its own pool: no threads kept idle here.
    await pool.close();
  }
}

async function reattach(
  options: CoordinateOptions,
  ledger: Ledger,
  existing: RotationRow,
  pool: CryptoPool,
  notes: string[],
): Promise<RotationRow> {
  const given = {
    open: options.crypto.openConfig,
    write: options.crypto.writeConfig ?? options.crypto.openConfig,
  };
  if (
    !sameArgon2Config(given.open, existing.openConfig) ||
    !sameArgon2Config(given.write, existing.writeConfig)
  ) {
    throw new EngineError(
      'CHECKPOINT',
      `The unfinished distributed rotation of the table ${JSON.stringify(existing.table)} opens with ` +
        `${describeArgon2Config(existing.openConfig)} and writes with ${describeArgon2Config(existing.writeConfig)}, ` +
        'not the settings given now: nothing was changed. Continue it with the settings it was started with.',
    );
  }
  if (existing.state === 'cancelled' && !options.resume) {
    throw new EngineError(
      'UNFINISHED_ROTATION',
      `A distributed rotation of the table ${JSON.stringify(existing.table)} was cancelled and can be ` +
        'resumed: nothing was changed now. Resume it (CLI: rotate --queue ... --resume) with the same ' +
        'passwords, or check it with the status command.',
    );
  }
  const { old, fresh } = await openCanaries(pool, existing.canaries);
  if (old !== 'opened' || fresh !== 'opened') {
    throw new EngineError(
      'PASSWORDS_REFUSED',
      `The ${old !== 'opened' ? 'old' : 'new'} password given now is not the one the unfinished distributed ` +
        `rotation of the table ${JSON.stringify(existing.table)} was started with (its canaries do not open), ` +
        'so it was not continued and nothing was written. Give the same passwords as when it started.',
    );
  }
  if (existing.state === 'cancelled') await ledger.setState(existing.id, 'running', ['cancelled']);
  notes.push(
    existing.state === 'cancelled'
      ? 'Resumed the cancelled distributed rotation from the ledger (batches committed before are kept).'
      : 'Took over the unfinished distributed rotation from the ledger (its coordinator had stopped).',
  );
  return (await ledger.rotation(existing.id))!;
}

/**
 * The backup asked for, before the first job is enqueued, so that it holds
 * the table as it was. A rotation taken over after its shards began has
 * written records already: then only a complete backup table of this same
 * rotation (its tag) is kept, and none is made.
 */
export async function takeBackup(
  options: CoordinateOptions,
  { store, ledger, table }: OpenedTarget,
  rotation: RotationRow,
  notes: string[],
): Promise<string | null> {
  if (options.backupTable === undefined && options.backupPath === undefined) return null;
  const started = (await ledger.shards(rotation.id)).some((shard) => shard.epoch > 0);
  if (started && options.backupPath !== undefined) {
    notes.push(
      'No backup was taken: the rotation had written records before this coordinator took it over.',
    );
    return null;
  }
  if (options.backupTable !== undefined) {
    if (!store.backupToTable)
      throw new EngineError('INTERNAL', 'This store cannot back up to a table.');
    // Kept when this rotation's complete copy exists; never replaces another table.
    if (!started)
      await store.backupToTable(table, options.backupTable, rotationTag(rotation.canaries.old));
    else notes.push('The backup table is the one taken when the rotation started (if it was).');
    return `${BACKUP_TABLE_PREFIX}${options.backupTable}`;
  }
  await store.backupTo(assertBackupPathFree(options.backupPath!), table);
  return options.backupPath!;
}
