/**
 * What the coordinator, a worker and the status/cancel commands share: the
 * vault table opened from the target the caller gave (never from the queue),
 * with the ledger on the same connection; a worker id; an abortable pause.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { JobResources } from '../rotation/job/job-resources.js';
import { resolveVaultTable } from '../rotation/plan/validation.js';
import { openVault } from '../storage/index.js';
import type { VaultStore } from '../storage/types.js';
import { Ledger } from './ledger/ledger.js';
import type { DistributedTarget } from './types.js';

export interface OpenedTarget {
  readonly store: VaultStore;
  readonly ledger: Ledger;
  /** the store's name for the table (PostgreSQL: schema.table) */
  readonly table: string;
}

/** Opens the vault table (SQLite: DISTRIBUTED_SQLITE) and its ledger; `resources` closes it, else the caller. */
export async function openTarget(
  target: DistributedTarget,
  resources?: JobResources,
  readOnly = false,
): Promise<OpenedTarget> {
  const options = { ...target.open, readOnly };
  const store = resources
    ? await resources.openStore(target.vaultPath, options)
    : await openVault(target.vaultPath, options);
  try {
    const ledger = Ledger.of(store, target.ledgerSchema ?? null);
    const table = await resolveVaultTable(store, target.table);
    return { store, ledger, table };
  } catch (error) {
    if (!resources) await store.close();
    throw error;
  }
}

/** host:pid:random, unique among the workers of a rotation; no secret. */
export function newWorkerId(): string {
  return `${hostname().slice(0, 80)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
