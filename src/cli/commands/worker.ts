/**
 * `vaultstore-admin worker`: serves the distributed rotation of one table on
 * this machine until it is finished (exit 0), cancelled (3), left on SIGTERM
 * (3: the batch under way is finished first), or refused because its
 * passwords do not open the rotation's canaries (8, before any shard).
 */
import { availableParallelism } from 'node:os';
import {
  openShardQueue,
  serveRotation,
  type WorkerEvent,
  type WorkerOutcome,
} from '../../engine/index.js';
import { cancellingMessage, handleCancelSignals } from '../cancel-signals.js';
import type { CommandContext } from '../context.js';
import type { WorkerArgs } from '../distributed-args.js';
import { queueSettings, readDistributedLogin } from '../distributed-login.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatCount } from '../format.js';
import { writeJsonLine, writeLine } from '../io.js';
import { printable } from '../terminal-text.js';

/** One line for people about a worker event (the JSON line carries the same fields). */
export function workerEventText(event: WorkerEvent): string | null {
  switch (event.type) {
    case 'waiting':
      return 'Waiting for a rotation of the table to be planned (rotate --queue)…';
    case 'joined':
      return `Joined rotation ${printable(event.rotation)} as ${printable(event.worker)}; both passwords open its canaries.`;
    case 'shard':
      return (
        `Shard ${event.shard} (${event.phase === 'pass' ? 'main pass' : `sweep round ${event.round}`}): ` +
        `${event.outcome}, ${formatCount(event.scanned)} records.`
      );
    case 'left':
      return event.state === null ? 'Left.' : `Left: the rotation is ${event.state}.`;
  }
}

/** The exit code of a worker that left: finished 0, incomplete 6, stopped 3, failed 1. */
export function workerExitCode(outcome: WorkerOutcome): ExitCode {
  switch (outcome.state) {
    case 'completed':
    case 'finished':
      return EXIT.ok;
    case 'incomplete':
      return EXIT.incomplete;
    case 'failed':
      return EXIT.error;
    case 'cancelled':
    case 'running':
    case null:
      // cancelled by `cancel`, or this worker was stopped (SIGTERM) while the rotation goes on
      return EXIT.cancelled;
  }
}

function outcomeText(outcome: WorkerOutcome): string {
  const work = `${formatCount(outcome.shardsRun)} shard runs, ${formatCount(outcome.records)} records`;
  switch (outcome.state) {
    case 'completed':
    case 'finished':
      return `The rotation is complete (${work} here).`;
    case 'incomplete':
      return `The rotation ended incomplete: records may still open with the old password (${work} here); the coordinator's summary says why.`;
    case 'failed':
      return `The rotation failed (${work} here): the coordinator's output says why.`;
    case 'cancelled':
      return `The rotation was cancelled (${work} here); committed batches are kept, rotate --queue --resume continues it.`;
    case 'running':
    case null:
      return `Stopped this worker after its batch (${work}); the rotation goes on with the other workers.`;
  }
}

export async function runWorker(args: WorkerArgs, context: CommandContext): Promise<ExitCode> {
  const { io } = context;
  const login = await readDistributedLogin(args, io, 'worker', {
    passwords: { old: args.oldPassword, new: args.newPassword },
    queue: args.queue,
    serverTimeoutSeconds: args.serverTimeoutSeconds,
  });
  try {
    const [oldPassword, newPassword] = login.passwords as [Uint8Array, Uint8Array];
    const cancel = handleCancelSignals(
      {
        onCancel: (signal) =>
          writeLine(
            io.stderr,
            `${cancellingMessage(signal)} This worker finishes its batch and leaves.`,
          ),
        onForce: () => {
          writeLine(
            io.stderr,
            'Forced exit. Committed batches are kept; the shard goes to another worker.',
          );
          context.exit(EXIT.forced);
        },
      },
      context.signals,
    );
    try {
      const outcome = await serveRotation({
        target: login.target,
        queue: queueSettings(args.queue, login.queuePassword),
        openQueue: openShardQueue,
        oldPassword,
        newPassword,
        workers: args.workers ?? availableParallelism(),
        kdfBackend: args.kdf,
        exitWhenIdle: args.noWait,
        signal: cancel.signal,
        onEvent: (event) => {
          if (args.json) {
            const { type, ...fields } = event;
            writeJsonLine(io.stdout, { type: 'event', event: type, ...fields });
          } else {
            const text = workerEventText(event);
            if (text !== null) writeLine(io.stderr, text);
          }
        },
      });
      // --no-wait and no rotation running: nothing to do is a success, not a stop.
      const idle = outcome.rotation === null && !cancel.signal.aborted;
      const code = idle ? EXIT.ok : workerExitCode(outcome);
      if (args.json) {
        writeJsonLine(io.stdout, {
          type: 'summary',
          command: 'worker',
          ...outcome,
          exitCode: code,
        });
      } else {
        writeLine(
          io.stdout,
          idle
            ? 'No rotation of this table is running (--no-wait): nothing to do.'
            : outcomeText(outcome),
        );
      }
      return code;
    } finally {
      cancel.dispose();
    }
  } finally {
    login.dispose();
  }
}
