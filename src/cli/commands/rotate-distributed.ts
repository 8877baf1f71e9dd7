/**
 * `vaultstore-admin rotate URL --table T --queue redis://...`: plans and
 * coordinates a distributed rotation (this machine works on shards too unless
 * --no-local-worker), shows the whole rotation's progress and the workers,
 * and reports the verdict with the usual exit codes.
 */
import { availableParallelism } from 'node:os';
import {
  ARGON2_PRESETS,
  coordinateRotation,
  defaultBackupPath,
  isEngineError,
  openShardQueue,
  rotationStateBase,
  unicodeNormalizationHint,
  validateRotationInput,
  type DistributedProgress,
  type DistributedResult,
  type EngineErrorCode,
} from '../../engine/index.js';
import type { RotateArgs } from '../args.js';
import { cancellingMessage, handleCancelSignals } from '../cancel-signals.js';
import type { CommandContext } from '../context.js';
import type { DistributedRotateArgs } from '../distributed-args.js';
import { queueSettings, readDistributedLogin } from '../distributed-login.js';
import { ResumableFailure } from '../engine-errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { writeLine } from '../io.js';
import { createDistributedReporter, workersSummary } from '../progress/distributed-progress.js';
import { resumeCommand } from '../resume-command.js';
import { PreflightShown } from './rotate-preflight.js';
import { reportResult, type SummaryExtra } from './rotate.js';

/** Failures after planning that a re-run with --resume gets past once their cause is fixed. */
const RESUMABLE: readonly EngineErrorCode[] = [
  'CONNECTION_LOST',
  'SERVER_UNREACHABLE',
  'QUEUE_UNREACHABLE',
  'WORKER_FAILED',
];

/** As on one machine: a backup file in the state folder unless --backup PATH, --backup-table or --no-backup. */
function backupOptions(
  args: RotateArgs,
  vaultPath: string,
  table: string,
): { backupPath?: string; backupTable?: string } {
  switch (args.backup.kind) {
    case 'none':
      return {};
    case 'path':
      return { backupPath: args.backup.path };
    case 'table':
      return { backupTable: args.backup.table };
    case 'default':
      return {
        backupPath: defaultBackupPath(rotationStateBase(vaultPath, table).base, new Date()),
      };
  }
}

function distributedExtra(result: DistributedResult): SummaryExtra {
  const { distributed } = result;
  return {
    lines: [
      workersSummary(distributed.workers, distributed.shards) +
        (distributed.sweepRounds > 0 ? ` Sweep rounds: ${distributed.sweepRounds}.` : ''),
    ],
    json: { distributed },
  };
}

export async function runDistributedRotate(
  args: RotateArgs,
  distributed: DistributedRotateArgs,
  context: CommandContext,
): Promise<ExitCode> {
  const { io } = context;
  const table = args.table!;
  const login = await readDistributedLogin(
    { ...args, table, ledgerSchema: distributed.ledgerSchema },
    io,
    'rotate',
    {
      passwords: { old: args.oldPassword, new: args.newPassword },
      queue: distributed.queue,
      serverTimeoutSeconds: args.serverTimeoutSeconds,
    },
  );
  try {
    const [oldPassword, newPassword] = login.passwords as [Uint8Array, Uint8Array];
    const openConfig = args.crypto?.config ?? ARGON2_PRESETS.default;
    const writeConfig = args.newCrypto?.config;
    validateRotationInput({
      oldPassword,
      newPassword,
      openConfig,
      writeConfig,
      minPasswordBytes: args.minPasswordBytes,
      newPasswordPolicy: args.passwordRules,
    });
    // Computed now: the password bytes are zeroed once the job is over.
    const unicodeHint = unicodeNormalizationHint(oldPassword);
    const reporter = createDistributedReporter({
      json: args.json,
      stdout: io.stdout,
      stderr: io.stderr,
    });
    const resume = resumeCommand(args, table);
    const cancel = handleCancelSignals(
      {
        onCancel: (signal) => {
          reporter.finish();
          writeLine(
            io.stderr,
            `${cancellingMessage(signal)} The workers stop within about a second.`,
          );
        },
        onForce: () => {
          reporter.finish();
          writeLine(io.stderr, 'Forced exit. Committed batches are kept in the ledger.');
          writeLine(io.stderr, `To resume:\n  ${resume}`);
          context.exit(EXIT.forced);
        },
      },
      context.signals,
    );
    // The coordinator's own check is the pre-flight, shown as on one machine (none on a resume).
    const shown = new PreflightShown<DistributedProgress>(args, io, cancel.signal, (progress) =>
      reporter.update(progress),
    );
    try {
      let result: DistributedResult;
      try {
        result = await coordinateRotation({
          target: login.target,
          queue: queueSettings(distributed.queue, login.queuePassword),
          openQueue: openShardQueue,
          oldPassword,
          newPassword,
          crypto: {
            openConfig,
            ...(writeConfig && { writeConfig }),
            kdfBackend: args.kdf,
            skipConfigCheck: args.skipConfigCheck,
            scanAnyway: args.scanAnyway,
          },
          ...(distributed.shards !== undefined && { shards: distributed.shards }),
          localWorkers: distributed.localWorker ? (args.workers ?? availableParallelism()) : 0,
          keepLedger: distributed.keepLedger,
          ...backupOptions(args, login.target.vaultPath, table),
          resume: args.resume,
          includeSoftDeleted: !args.skipSoftDeleted,
          signal: cancel.signal,
          ...shown.listeners(),
        });
      } catch (error) {
        const refused = shown.refused(error, openConfig, unicodeHint) ?? shown.cancelledInCheck();
        if (refused !== null) return refused;
        if (isEngineError(error) && RESUMABLE.includes(error.code)) {
          throw new ResumableFailure(error, resume);
        }
        throw error;
      } finally {
        shown.stop();
      }
      reporter.finish();
      return reportResult(args, result, unicodeHint, io, distributedExtra(result));
    } finally {
      reporter.finish();
      cancel.dispose();
    }
  } finally {
    login.dispose();
  }
}
