/**
 * A distributed rotation's part of the result screen and the report: the
 * union coverage proof in words and each worker's totals. From the result
 * only (the ledger's figures), which holds no password.
 */
import type { WorkerSummary } from '../../core/distributed.js';
import type { DistributedResult } from '../../shared/ipc-contract.js';
import { formatCount, plural } from './format.js';

/** The proof the coordinator checked before it said "completed", or how far a stopped one got. */
export function unionProofText(result: DistributedResult): string {
  const { shards, sweepRounds } = result.distributed;
  const rowsAtStart = result.coverage?.rowsAtStart;
  const visited = result.coverage?.visited ?? result.scanned;
  const atStart =
    rowsAtStart === undefined
      ? 'the number of rows at the start was not reported'
      : `${plural(rowsAtStart, 'row')} were in scope at the start`;
  const examined = result.sweep?.examined ?? 0;
  const sweeps =
    sweepRounds === 0
      ? 'no sweep round was needed after the main pass'
      : examined === 0
        ? `${plural(sweepRounds, 'sweep round')} after the main pass found nothing written meanwhile`
        : `${plural(sweepRounds, 'sweep round')} after the main pass re-examined ${plural(examined, 'record')} other programs wrote meanwhile`;
  const layout = `The table was split into ${plural(shards, 'shard')} whose key ranges together cover it; ${atStart}, ${formatCount(visited)} were visited, and ${sweeps}.`;
  if (result.status === 'completed' || result.status === 'nothing-opened') {
    return `${layout} Every shard finished and their visits add up to the rows at the start: every record was visited exactly once.`;
  }
  if (result.status === 'cancelled') {
    return `${layout} The rotation was cancelled before every shard finished: resume it to cover the rest.`;
  }
  return `${layout} Another program kept writing under the old password: rotate again once it has stopped.`;
}

/** Each worker's totals, most records first (ties by id, so the order is stable). */
export function workerTotals(workers: readonly WorkerSummary[]): WorkerSummary[] {
  return [...workers]
    .map(({ worker, host, pool, backend, records, state }) => ({
      worker,
      host,
      pool,
      backend,
      records,
      state,
    }))
    .sort((a, b) => b.records - a.records || a.worker.localeCompare(b.worker));
}
