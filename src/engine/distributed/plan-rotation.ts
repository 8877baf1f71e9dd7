/**
 * Starting a distributed rotation, under the table's server lock (held by
 * the coordinator): the table checked as for one machine (pageable, no
 * triggers), the ledger created, the passwords proven on a sample (the
 * same decision as rotateVault's), one fixed "now", the canaries sealed,
 * the shards cut and counted in one snapshot, and the rotation row with its
 * shards inserted in one transaction. Nothing of the vault is written.
 */
import { randomBytes } from 'node:crypto';
import { EngineError } from '../errors.js';
import type { CryptoPool } from '../pool/crypto-pool.js';
import { recordScope, scopeFilter } from '../rotation/job/record-scope.js';
import { sealCanaries } from '../rotation/state/resume-proof.js';
import { assertNoTriggers, assertSampleAllowsRun } from '../rotation/plan/rotation-plan.js';
import type { JobResources } from '../rotation/job/job-resources.js';
import type { PreflightProgress, PreflightResult, RotationOptions } from '../rotation/types.js';
import type { VaultStore } from '../storage/types.js';
import type { Ledger } from './ledger/ledger.js';
import { defaultShardCount, planShards } from './plan-shards.js';
import type { DistributedCrypto, RotationRow } from './types.js';

export interface DistributedPlanSettings {
  readonly store: VaultStore;
  readonly ledger: Ledger;
  /** the store's name for the table (resolveVaultTable) */
  readonly table: string;
  readonly pool: CryptoPool;
  /** holds the engine's copies of the old and new password (the sample check reads the old one) */
  readonly resources: JobResources;
  readonly crypto: DistributedCrypto;
  readonly includeSoftDeleted?: boolean | undefined;
  /** default: by size, at least 8 per expected worker */
  readonly shards?: number | undefined;
  readonly expectedWorkers?: number | undefined;
  readonly coordinator: string;
  readonly signal?: AbortSignal | undefined;
  /** the sample check's progress and result: the pre-flight a person sees, as for one machine */
  readonly onPreflightProgress?: ((progress: PreflightProgress) => void) | undefined;
  readonly onPreflight?: ((preflight: PreflightResult) => void) | undefined;
}

function cancelledWhilePlanned(): EngineError {
  return new EngineError(
    'INTERNAL',
    'The rotation was cancelled while it was planned: nothing was written and no rotation recorded.',
  );
}

/** A rotation id: random, no secret, safe in a queue name and a job id. */
export function newRotationId(): string {
  return randomBytes(12).toString('hex');
}

/** Plans and records a new distributed rotation of the table; returns its row. */
export async function planDistributedRotation(
  settings: DistributedPlanSettings,
): Promise<RotationRow> {
  const { store, ledger, table, pool, crypto } = settings;
  await store.assertPageable(table);
  await assertNoTriggers(store, table, false);
  // One "now" for the whole rotation, on every machine.
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const scope = recordScope(table, { includeSoftDeleted: settings.includeSoftDeleted }, now);
  const openConfig = crypto.openConfig;
  const writeConfig = crypto.writeConfig ?? crypto.openConfig;
  const filter = scopeFilter(scope);
  // Counted before the check: its estimate (of this machine's pool alone) needs the total.
  const all = await store.countRecords(table, filter);
  // The same refusal as one machine's (a scan that cannot succeed never starts), on a sample.
  if (!(crypto.skipConfigCheck && crypto.scanAnyway)) {
    const asRotation = {
      vaultPath: store.path,
      oldPassword: settings.resources.passwords[0]!,
      newPassword: settings.resources.passwords[1]!,
      openConfig,
      writeConfig,
      skipConfigCheck: crypto.skipConfigCheck,
      scanAnyway: crypto.scanAnyway,
      kdfBackend: crypto.kdfBackend,
      workers: pool.size,
      signal: settings.signal,
      onPreflightProgress: settings.onPreflightProgress,
      onPreflight: settings.onPreflight,
    } satisfies RotationOptions;
    await assertSampleAllowsRun(
      asRotation,
      { store, scope, pool, table, total: all, writeConfig },
      settings.resources,
    );
  }
  // Cancelled in its check (told as a cancelled pre-flight) or once it was told: nothing planned.
  if (settings.signal?.aborted) throw cancelledWhilePlanned();
  const canaries = await sealCanaries(pool);
  if (!canaries) throw cancelledWhilePlanned();
  const plan = await planShards(store, ledger, {
    table,
    filter,
    shards: settings.shards ?? defaultShardCount(all, settings.expectedWorkers ?? 1),
  });
  const id = newRotationId();
  await ledger.insertRotation({
    id,
    table,
    now,
    includeSoftDeleted: scope.includeSoftDeleted,
    openConfig,
    writeConfig,
    canaries,
    rowsAtStart: plan.rowsAtStart,
    boundsHash: plan.boundsHash,
    coordinator: settings.coordinator,
    shards: plan.shards,
  });
  const row = await ledger.rotation(id);
  if (!row)
    throw new EngineError('INTERNAL', 'The rotation row just written is not in the ledger.');
  return row;
}
