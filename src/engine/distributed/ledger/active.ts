/**
 * For a single-machine rotation of a server table, after it took the
 * table's server lock: refused while the table has an unfinished
 * distributed rotation in the default ledger location (DISTRIBUTED_ACTIVE);
 * the other way round, a distributed rotation is refused by that lock.
 */
import { EngineError } from '../../errors.js';
import type { VaultStore } from '../../storage/types.js';
import { Ledger } from './ledger.js';

export async function assertNoDistributedRotation(store: VaultStore, table: string): Promise<void> {
  if (!store.serverSql) return;
  const ledger = Ledger.of(store, null);
  if (!(await ledger.exists())) return;
  const active = await ledger.activeRotation(table);
  if (!active) return;
  const running = active.state === 'running';
  throw new EngineError(
    'DISTRIBUTED_ACTIVE',
    `A distributed rotation of the table ${JSON.stringify(table)} is ` +
      `${running ? 'running' : 'cancelled and not finished'} (ledger rotation ${active.id}): a rotation on ` +
      'one machine now would race it. Nothing was changed. ' +
      `${running ? 'Wait for it to finish, or cancel it' : 'Resume it (rotate --queue ... --resume)'}; see it ` +
      'with the status command.',
  );
}
