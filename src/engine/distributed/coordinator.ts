/**
 * coordinateRotation: plans a distributed rotation (or re-attaches to the
 * table's unfinished one from the ledger: a coordinator may die without
 * losing it), enqueues one job per shard and round, serves shards itself
 * unless told not to, and drives the rounds from the ledger: after the
 * pass, sweep rounds until one finds nothing new (at most 5), then the
 * union coverage proof and the result. It holds the table's server lock
 * throughout: one coordinator at a time, and no single-machine rotation
 * meanwhile. Jobs Redis lost are enqueued again (their ids are
 * deterministic, so a job still there is not doubled).
 */
import { JobResources } from '../rotation/job/job-resources.js';
import { checkOptions } from '../rotation/plan/rotation-plan.js';
import { TargetConnection } from './connection.js';
import type { CoordinateOptions } from './coordinator-options.js';
import { drive } from './coordinator-drive.js';
import { dropLedger, resultOf, summaryOf } from './coordinator-result.js';
import { rotationToDrive, takeBackup } from './coordinator-start.js';
import { openShardQueue } from './queue/index.js';
import { namedQueue } from './queue-name.js';
import { newWorkerId, pause, type OpenedTarget } from './target.js';
import type { DistributedResult, WorkerOutcome } from './types.js';
import { serveRotation } from './worker.js';

export type { CoordinateOptions } from './coordinator-options.js';

/** Runs `work` on the connection until it gets through (a broken connection is opened again). */
async function persistently<T>(
  connection: TargetConnection,
  work: (opened: OpenedTarget) => Promise<T>,
  poll: number,
): Promise<T> {
  for (;;) {
    const done = await connection.attempt(async (opened) => ({ value: await work(opened) }));
    if (done) return done.value;
    await pause(poll);
  }
}

export async function coordinateRotation(options: CoordinateOptions): Promise<DistributedResult> {
  const started = performance.now();
  // The single-machine checks of passwords, settings, batch size and backup options.
  checkOptions({
    vaultPath: options.target.vaultPath,
    oldPassword: options.oldPassword,
    newPassword: options.newPassword,
    openConfig: options.crypto.openConfig,
    writeConfig: options.crypto.writeConfig,
    batchSize: options.batchSize,
    backupTable: options.backupTable,
    backupPath: options.backupPath,
  });
  const coordinator = options.coordinatorId ?? newWorkerId();
  const resources = new JobResources([options.oldPassword, options.newPassword], {
    abortPoolOnDispose: true,
  });
  const notes: string[] = [];
  let local: Promise<WorkerOutcome> | null = null;
  const stopLocal = new AbortController();
  // Each connection first takes the table's server lock: one coordinator at a time, and no
  // single-machine rotation meanwhile (the same lock); closing the connection releases it.
  const connection = new TargetConnection(options.target, async (opened) => {
    await opened.store.lockForRotation!(opened.table);
    await opened.ledger.create();
  });
  try {
    const opened = await connection.get();
    // Reached before anything is planned: a queue that does not answer leaves the ledger untouched.
    const queueSettings = namedQueue(options.queue, options.target.vaultPath, opened.table);
    const queue = await (options.openQueue ?? openShardQueue)(queueSettings);
    try {
      const start = await rotationToDrive(options, opened, resources, notes, coordinator);
      const backupPath = await takeBackup(options, opened, start, notes);
      if (options.localWorkers > 0) {
        local = serveRotation({
          target: options.target,
          queue: queueSettings,
          openQueue: options.openQueue,
          oldPassword: resources.passwords[0]!,
          newPassword: resources.passwords[1]!,
          workers: options.localWorkers,
          kdfBackend: options.crypto.kdfBackend,
          signal: stopLocal.signal,
          onEvent: options.onWorkerEvent,
          workerId: `${coordinator}:local`,
          batchSize: options.batchSize,
          commitIntervalMs: options.commitIntervalMs,
        });
        // Its failure (e.g. its pool) is reported once the rotation is driven; others may still finish it.
        local.catch(() => undefined);
      }
      const driven = await drive(options, connection, queue, start, coordinator);
      const { status } = driven;
      const finished = status !== 'cancelled';
      const poll = options.pollIntervalMs ?? 250;
      if (finished) {
        await persistently(
          connection,
          ({ ledger }) => ledger.setState(start.id, status, ['running']),
          poll,
        );
      }
      stopLocal.abort();
      await local?.catch(() => undefined);
      const workers = await persistently(
        connection,
        ({ ledger }) => ledger.workers(start.id),
        poll,
      );
      const result = {
        ...resultOf(
          driven,
          started,
          notes,
          workers.map((worker) => summaryOf(worker, Date.now())),
        ),
        backupPath,
      };
      if (finished) {
        await persistently(
          connection,
          async ({ ledger }) => {
            await ledger.setOutcome(start.id, { status: result.status, rotated: result.rotated });
            if (!options.keepLedger) await dropLedger(ledger, start.id, notes);
          },
          poll,
        );
      } else {
        notes.push(
          'Cancelled: batches committed so far are kept. Resume it later (CLI: rotate --queue ... --resume).',
        );
      }
      return result;
    } finally {
      await queue.close();
    }
  } finally {
    stopLocal.abort();
    await local?.catch(() => undefined);
    await connection.drop();
    await resources.dispose();
  }
}
