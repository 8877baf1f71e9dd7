/** Ledger figures, results and a server vault as main reports them, for the distributed renderer tests. */
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import type { DistributedStatus, WorkerRow } from '../../../src/core/distributed.js';
import type {
  DistributedProgressEvent,
  DistributedResult,
} from '../../../src/shared/ipc-contract.js';
import { resultOf, tableInfo, vaultSummary } from './fake-vault-admin.js';

export function workerRow(worker: string, extra: Partial<WorkerRow> = {}): WorkerRow {
  return {
    worker,
    host: worker.split(':')[0]!,
    pool: 4,
    backend: 'native',
    state: 'working',
    records: 100,
    rate: 50,
    lastSeenMs: 1_000_000,
    ...extra,
  };
}

export const SERVER = 'postgres://rotator@db.internal:5432/app';
export const REDIS_PASSWORD = 'Redis-pass-5550123';
export const QUEUE_URL = 'rediss://queue.internal:6380/2';

export function serverVault() {
  return vaultSummary(SERVER, [tableInfo('vault', 10_000)], {
    driver: 'postgres',
    fileName: 'app on db.internal',
  });
}

export function ledgerStatus(extra: Partial<DistributedStatus> = {}): DistributedStatus {
  return {
    rotation: 'rot-1',
    table: 'vault',
    state: 'running',
    round: 0,
    rowsAtStart: 10_000,
    shards: 40,
    shardsDone: 12,
    counts: {
      scanned: 3000,
      opened: 3000,
      rotated: 2990,
      skipped: 10,
      failed: 0,
      changed: 0,
      bytes: 0,
      derivations: 3000,
      sweepExamined: 0,
      sweepRotated: 0,
      sweepFailed: 0,
    },
    coordinator: null,
    heartbeatMs: null,
    startedMs: 1_000,
    openConfig: ARGON2_PRESETS.tiny,
    writeConfig: ARGON2_PRESETS.tiny,
    includeSoftDeleted: false,
    workers: [],
    failing: [],
    ...extra,
  };
}

export function distributedResult(
  status: DistributedResult['status'],
  extra: Partial<DistributedResult> = {},
): DistributedResult {
  return {
    ...resultOf(status, { scanned: 10_000, rotated: 9_990, skipped: 10, backupPath: null }),
    checkpointPath: null,
    coverage: { rowsAtStart: 10_000, visited: 10_000, foreignWrites: false },
    distributed: {
      rotation: 'rot-1',
      shards: 40,
      sweepRounds: 1,
      workers: [
        { worker: 'w1:11', host: 'w1', pool: 8, backend: 'native', records: 6000, state: 'left' },
        { worker: 'w2:22', host: 'w2', pool: 4, backend: 'wasm', records: 4000, state: 'left' },
      ],
    },
    ...extra,
  };
}

/** A ledger reading main pushes about job `jobId` at `atMs`: 40 shards, 10 done. */
export function ledgerEvent(
  jobId: string,
  atMs: number,
  scanned: number,
  workers = [workerRow('w1:1', { lastSeenMs: atMs, rate: 120 })],
  extra: Partial<DistributedProgressEvent['progress']> = {},
): DistributedProgressEvent {
  return {
    type: 'distributed-progress',
    jobId,
    atMs,
    progress: {
      rotation: 'rot-1',
      phase: 'pass',
      round: 0,
      total: 10_000,
      scanned,
      rotated: scanned,
      skipped: 0,
      failed: 0,
      shards: 40,
      shardsDone: 10,
      workers,
      failing: [],
      ...extra,
    },
  };
}
