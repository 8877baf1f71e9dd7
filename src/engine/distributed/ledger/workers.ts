/**
 * The ledger's worker registry (vsa_worker): what each worker last
 * reported of itself, for status.
 */
import type { ServerSql, SqlParam, SqlRow } from '../../storage/types.js';
import type { WorkerRow } from '../types.js';
import { num, textOrNull } from './rows.js';
import { serverNowMs, toReaderClock, withServerNow } from './server-clock.js';
import type { LedgerNames } from './schema.js';

/** Records the worker's latest report (inserted on its first). */
export async function upsertWorker(
  sql: ServerSql,
  names: LedgerNames,
  rotation: string,
  worker: Omit<WorkerRow, 'lastSeenMs'>,
): Promise<void> {
  const values: SqlParam[] = [
    worker.host,
    worker.pool,
    worker.backend,
    worker.state,
    worker.records,
    worker.rate,
  ];
  const seen = serverNowMs(sql.dialect);
  const updated = await sql.modify(
    `UPDATE ${names.vsa_worker} SET host = ?, pool = ?, backend = ?, state = ?, records = ?, rate = ?,
      last_seen_ms = ${seen} WHERE rotation = ? AND worker = ?`,
    [...values, rotation, worker.worker],
  );
  if (updated === 1) return;
  await sql.modify(
    `INSERT INTO ${names.vsa_worker} (host, pool, backend, state, records, rate, last_seen_ms, rotation, worker)
      VALUES (?, ?, ?, ?, ?, ?, ${seen}, ?, ?)`,
    [...values, rotation, worker.worker],
  );
}

/** The workers that reported on the rotation, by name. */
export async function readWorkers(
  sql: ServerSql,
  names: LedgerNames,
  rotation: string,
): Promise<WorkerRow[]> {
  const rows = await sql.query(
    `SELECT ${withServerNow(sql.dialect)} FROM ${names.vsa_worker} WHERE rotation = ? ORDER BY worker`,
    [rotation],
  );
  return rows.map(workerOf);
}

function workerOf(row: SqlRow): WorkerRow {
  return {
    worker: String(textOrNull(row.worker)),
    host: String(textOrNull(row.host)),
    pool: num(row.pool),
    backend: String(row.backend),
    state: String(row.state),
    records: num(row.records),
    rate: num(row.rate),
    lastSeenMs: toReaderClock(row, num(row.last_seen_ms)),
  };
}
