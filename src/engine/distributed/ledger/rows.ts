/**
 * The ledger's rows as the engine's types: the shard count columns (read,
 * written and summed the same way), shard and rotation rows, values that
 * come back as text or buffers on either server.
 */
import type { Argon2Config } from '../../../core/argon2.js';
import type { SqlRow } from '../../storage/types.js';
import { toReaderClock } from './server-clock.js';
import type { LedgerState, RotationRow, ShardCounts, ShardFailure, ShardRow } from '../types.js';

export const NO_SHARD_COUNTS: ShardCounts = {
  scanned: 0,
  opened: 0,
  rotated: 0,
  skipped: 0,
  failed: 0,
  changed: 0,
  bytes: 0,
  derivations: 0,
  sweepExamined: 0,
  sweepRotated: 0,
  sweepFailed: 0,
};

export const COUNT_COLUMNS: ReadonlyArray<readonly [keyof ShardCounts, string]> = [
  ['scanned', 'scanned'],
  ['opened', 'opened'],
  ['rotated', 'rotated'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
  ['changed', 'changed'],
  ['bytes', 'bytes'],
  ['derivations', 'derivations'],
  ['sweepExamined', 'sweep_examined'],
  ['sweepRotated', 'sweep_rotated'],
  ['sweepFailed', 'sweep_failed'],
];

export const COUNT_SETS = COUNT_COLUMNS.map(([, column]) => `${column} = ?`).join(', ');

export const num = (value: unknown): number => Number(value ?? 0);
export const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined
    ? null
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : String(value);

export function shardOf(row: SqlRow): ShardRow {
  const counts = Object.fromEntries(
    COUNT_COLUMNS.map(([field, column]) => [field, num(row[column])]),
  ) as unknown as ShardCounts;
  return {
    ...counts,
    shard: num(row.shard),
    lo: textOrNull(row.lo),
    hi: textOrNull(row.hi),
    rowsAtStart: num(row.rows_at_start),
    epoch: num(row.epoch),
    owner: textOrNull(row.owner),
    round: num(row.round),
    done: num(row.done) === 1,
    cursor: textOrNull(row.cursor_key),
    roundRead: num(row.round_read),
    roundFound: num(row.round_found),
    roundOpened: num(row.round_opened),
    roundDeleted: num(row.round_deleted),
    failure: textOrNull(row.failure),
  };
}

export function rotationOf(row: SqlRow): RotationRow {
  return {
    id: String(row.id),
    table: String(textOrNull(row.vault_table)),
    state: String(row.state) as LedgerState,
    now: new Date(num(row.now_ms)),
    includeSoftDeleted: num(row.include_soft_deleted) === 1,
    openConfig: JSON.parse(String(textOrNull(row.open_config))) as Argon2Config,
    writeConfig: JSON.parse(String(textOrNull(row.write_config))) as Argon2Config,
    canaries: { old: String(textOrNull(row.canary_old)), new: String(textOrNull(row.canary_new)) },
    rowsAtStart: num(row.rows_at_start),
    shardCount: num(row.shard_count),
    boundsHash: String(row.bounds_hash),
    round: num(row.round),
    coordinator: textOrNull(row.coordinator),
    heartbeatMs: row.heartbeat_ms === null ? null : toReaderClock(row, num(row.heartbeat_ms)),
    startedMs: toReaderClock(row, num(row.started_ms)),
    updatedMs: toReaderClock(row, num(row.updated_ms)),
  };
}

/** The sum of shard counts. */
export function sumShardCounts(rows: readonly ShardCounts[]): ShardCounts {
  const total: Record<string, number> = { ...NO_SHARD_COUNTS };
  for (const row of rows) for (const [field] of COUNT_COLUMNS) total[field]! += row[field];
  return total as unknown as ShardCounts;
}

/** Shards whose last run failed, with its code. */
export function failingShards(rows: readonly ShardRow[]): ShardFailure[] {
  return rows.flatMap((row) =>
    row.failure === null ? [] : [{ shard: row.shard, code: row.failure }],
  );
}
