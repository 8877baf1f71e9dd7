/**
 * The queue of one vault table: the same name for every coordinator (the
 * CLI's `rotate --queue`, the app) and every `worker` of the same database
 * and table, so workers started by hand serve the app's jobs too. Named
 * after the table as the database names it (PostgreSQL: `vault` and
 * `public.vault` are one queue), once the coordinator or worker has opened
 * it. No host in it: machines may reach the server by different names; the
 * job's rotation id tells rotations apart.
 */
import { createHash } from 'node:crypto';
import { parseServerTarget } from '../storage/index.js';
import type { QueueSettings } from './queue/index.js';

/** Queue settings whose name the engine derives from the table (see queueName) unless given. */
export type QueueChoice = Omit<QueueSettings, 'name'> & { readonly name?: string | undefined };

/** `table`: the store's own name for it (resolveVaultTable). */
export function queueName(vaultPath: string, table: string): string {
  const { database } = parseServerTarget(vaultPath);
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  const digest = createHash('sha256').update(`${database}\0${table}`).digest('hex');
  return `vsa.${safe(database)}.${safe(table)}.${digest.slice(0, 8)}`;
}

/** The settings with their name: the one given, else the table's queue. */
export function namedQueue(queue: QueueChoice, vaultPath: string, table: string): QueueSettings {
  return { ...queue, name: queue.name ?? queueName(vaultPath, table) };
}
