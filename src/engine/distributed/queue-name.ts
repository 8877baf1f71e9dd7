/**
 * The queue of one vault table: the same name for every coordinator (the
 * CLI's `rotate --queue`, the app) and every `worker` given the same
 * database and table, so workers started by hand serve the app's jobs too.
 * No host in it: machines may reach the server by different names; the
 * job's rotation id tells rotations apart.
 */
import { createHash } from 'node:crypto';
import { parseServerTarget } from '../storage/index.js';

export function queueName(target: { readonly vaultPath: string; readonly table: string }): string {
  const { database } = parseServerTarget(target.vaultPath);
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  const digest = createHash('sha256').update(`${database}\0${target.table}`).digest('hex');
  return `vsa.${safe(database)}.${safe(target.table)}.${digest.slice(0, 8)}`;
}
