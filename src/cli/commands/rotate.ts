/** `vaultstore-admin rotate`: passwords in, pre-flight, the job with progress, a summary and an exit code. */
import {
  ARGON2_PRESETS,
  assertNoRotationRunning,
  checkpointPathFor,
  readCheckpoint,
  rotateVault,
  serverStateBase,
  unfinishedRotationError,
  unicodeNormalizationHint,
  validateRotationInput,
  type RotationOptions,
  type RotationResult,
} from '../../engine/index.js';
import { interpretResult } from '../../core/verdict.js';
import type { RotateArgs } from '../args.js';
import { cancellingMessage, handleCancelSignals } from '../cancel-signals.js';
import { askChoice } from '../ask-choice.js';
import { printable } from '../terminal-text.js';
import type { CommandContext } from '../context.js';
import { ResumableFailure } from '../engine-errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { writeJsonLine, writeLine, type CliIo } from '../io.js';
import { planServerLogin, readLoginAndPasswords } from '../db-password.js';
import { rotationPasswordRequests } from '../passwords.js';
import { earlierRuns, withEarlierRuns, type EarlierRuns } from '../progress/earlier-runs.js';
import { PreflightShown } from './rotate-preflight.js';
import { DRY_RUN_WORDS, ROTATE_WORDS } from '../progress/progress-line.js';
import { createProgressReporter } from '../progress/reporters.js';
import { restartCommand, resumeCommand } from '../resume-command.js';
import { zeroBytes } from '../secret-bytes.js';
import { cancelledText, completedText, nothingOpenedText, summaryJson } from './rotate-report.js';

type SharedOptions = Omit<
  RotationOptions,
  'oldPassword' | 'newPassword' | 'signal' | 'onProgress' | 'onPreflight' | 'onPreflightProgress'
>;

function sharedOptions(args: RotateArgs): SharedOptions {
  return {
    vaultPath: args.vaultPath,
    table: args.table,
    openConfig: args.crypto?.config ?? ARGON2_PRESETS.default,
    writeConfig: args.newCrypto?.config,
    includeSoftDeleted: !args.skipSoftDeleted,
    dryRun: args.dryRun,
    backup: args.backup.kind !== 'none',
    backupPath: args.backup.kind === 'path' ? args.backup.path : undefined,
    backupTable: args.backup.kind === 'table' ? args.backup.table : undefined,
    resume: args.resume,
    restart: args.restart,
    allowTriggers: args.allowTriggers,
    skipConfigCheck: args.skipConfigCheck,
    scanAnyway: args.scanAnyway,
    checkpointDir: args.checkpointDir,
    ...(args.serverTimeoutSeconds !== undefined && {
      serverTimeoutMs: args.serverTimeoutSeconds * 1000,
    }),
    workers: args.workers,
    kdfBackend: args.kdf,
    driver: args.driver,
    minPasswordBytes: args.minPasswordBytes,
    newPasswordPolicy: args.passwordRules,
  };
}

export function writeLines(output: CliIo['stdout'], lines: readonly string[]): void {
  for (const line of lines) writeLine(output, line);
}

/** The command to run again: with --resume when a checkpoint exists, from the start otherwise. */
function continueCommand(
  args: RotateArgs,
  table: string | undefined,
  hasCheckpoint: boolean,
): string {
  return hasCheckpoint ? resumeCommand(args, table) : restartCommand(args, table);
}

/**
 * The rotation's local files are named after the vault file, or for a server
 * after the server, database and table (in the state folder): null while the
 * table of a server vault is not known yet.
 */
function rotationStatePath(args: RotateArgs, table: string | undefined): string | null {
  if (args.server === null) return args.vaultPath;
  return table === undefined ? null : serverStateBase(args.vaultPath, table, args.checkpointDir);
}

function checkpointPathOf(args: RotateArgs, table: string | undefined): string | null {
  const state = rotationStatePath(args, table);
  if (state === null) return null;
  return args.server === null
    ? checkpointPathFor(state, args.checkpointDir)
    : checkpointPathFor(state);
}

/** The unfinished rotation's checkpoint, or null (none, a dry run, or unreadable: --resume says so itself). */
function checkpointOf(args: RotateArgs, table: string | undefined) {
  const path = args.dryRun ? null : checkpointPathOf(args, table);
  if (path === null) return null;
  try {
    return readCheckpoint(path);
  } catch {
    return null;
  }
}

function hasCheckpoint(args: RotateArgs, table: string | undefined): boolean {
  return checkpointOf(args, table) !== null;
}

/** A resume: what the earlier runs did, so progress counts the same way as the summary. */
function earlierRunsOf(args: RotateArgs, table: string | undefined): EarlierRuns | null {
  return args.resume ? earlierRuns(checkpointOf(args, table)) : null;
}

/**
 * A plain rotate when an unfinished rotation of the vault exists: asks on a
 * terminal (resume, start over, quit); elsewhere refuses, naming --resume and
 * --restart, rather than silently discarding it. null: quit.
 */
async function settleUnfinishedRotation(args: RotateArgs, io: CliIo): Promise<RotateArgs | null> {
  if (args.resume || args.restart || args.dryRun) return args;
  // A server vault without --table: the engine refuses an unfinished rotation itself.
  const path = checkpointPathOf(args, args.table);
  const unfinished = path === null ? null : readCheckpoint(path);
  if (!path || !unfinished) return args;
  // A running rotation's checkpoint is not an unfinished one: say who runs it instead.
  assertNoRotationRunning(rotationStatePath(args, args.table)!, 'cli');
  const error = unfinishedRotationError(path, unfinished);
  if (!io.stdin.isTTY || !io.stderr.isTTY || args.json) throw error;
  writeLine(io.stderr, printable(error.message));
  const choice = await askChoice(
    'Resume it [r], start over [s], or quit [q]? ',
    { r: 'resume', s: 'restart', q: 'quit' } as const,
    io.stdin,
    io.stderr,
  );
  if (choice === 'resume') return { ...args, resume: true };
  if (choice === 'restart') return { ...args, restart: true };
  return null;
}

export async function runRotate(given: RotateArgs, context: CommandContext): Promise<ExitCode> {
  const { io } = context;
  const requests = rotationPasswordRequests(given.oldPassword, given.newPassword);
  const plan = planServerLogin(given, io);
  let settled: RotateArgs | null;
  try {
    // The vault argument the engine gets (an option file's user= added): checkpoints are named after it.
    settled = await settleUnfinishedRotation({ ...given, vaultPath: plan.vaultPath }, io);
  } catch (error) {
    zeroBytes(plan.password);
    throw error;
  }
  if (!settled) {
    zeroBytes(plan.password);
    writeLine(io.stderr, 'Nothing was changed; the unfinished rotation is kept.');
    return EXIT.cancelled;
  }
  const args = settled;
  const login = await readLoginAndPasswords(plan, requests, io, 'rotate');
  const [oldPassword, newPassword] = login.passwords as [Uint8Array, Uint8Array];
  const { serverPassword } = login;
  try {
    const options: SharedOptions = {
      ...sharedOptions(args),
      // Kept (and zeroed below) until the end: the pre-flight and the rotation each connect.
      ...(serverPassword && { serverPassword }),
    };
    validateRotationInput({ oldPassword, newPassword, ...options });
    // Computed now: the password bytes are zeroed once the job is over.
    const unicodeHint = unicodeNormalizationHint(oldPassword);
    const reporter = createProgressReporter(
      { json: args.json, stdout: io.stdout, stderr: io.stderr },
      args.dryRun ? DRY_RUN_WORDS : ROTATE_WORDS,
    );
    let preflight: PreflightShown | null = null;
    // The table once the check named it (a server vault without --table).
    const knownTable = (): string | undefined => preflight?.result?.table ?? args.table;

    const cancel = handleCancelSignals(
      {
        onCancel: (signal) => {
          reporter.finish();
          writeLine(io.stderr, cancellingMessage(signal));
        },
        onForce: () => {
          reporter.finish();
          const resumable = hasCheckpoint(args, knownTable());
          writeLine(io.stderr, 'Forced exit. Committed batches are kept.');
          writeLine(
            io.stderr,
            `${resumable ? 'To resume' : 'To start again'}:\n  ${continueCommand(args, knownTable(), resumable)}`,
          );
          context.exit(EXIT.forced);
        },
      },
      context.signals,
    );
    const earlier = earlierRunsOf(args, args.table);
    const shown = new PreflightShown(args, io, cancel.signal, (progress) =>
      reporter.update(withEarlierRuns(progress, earlier)),
    );
    preflight = shown;
    try {
      let result: RotationResult;
      try {
        result = await rotateVault({
          ...options,
          lockTool: 'cli',
          oldPassword,
          newPassword,
          signal: cancel.signal,
          ...shown.listeners(),
        });
      } catch (error) {
        const refused = shown.refused(error, options.openConfig, unicodeHint);
        if (refused !== null) return refused;
        throw withResumeHint(error, args, knownTable());
      } finally {
        shown.stop();
      }
      reporter.finish();
      return shown.cancelledDuringCheck(result) ?? reportResult(args, result, unicodeHint, io);
    } finally {
      reporter.finish();
      cancel.dispose();
    }
  } finally {
    zeroBytes(oldPassword, newPassword, serverPassword);
  }
}

/** An error after a checkpoint was written: the rotation can continue once its cause is fixed. */
function withResumeHint(error: unknown, args: RotateArgs, table: string | undefined): unknown {
  return hasCheckpoint(args, table)
    ? new ResumableFailure(error, resumeCommand(args, table))
    : error;
}

/** What a distributed rotation adds to the summary: a line about its workers, a JSON field. */
export interface SummaryExtra {
  readonly lines: readonly string[];
  readonly json: object;
}

export function reportResult(
  args: RotateArgs,
  result: RotationResult,
  unicodeHint: string | null,
  io: CliIo,
  extra: SummaryExtra = { lines: [], json: {} },
): ExitCode {
  const verdict = interpretResult(result);
  // A distributed rotation resumes from its ledger, a local one from its checkpoint.
  const resumable = result.checkpointPath !== null || args.distributed !== null;
  const summary = (more: { resumeCommand?: string; message?: string } = {}): object => ({
    ...summaryJson(result, more),
    ...extra.json,
  });
  const completed = (): void => {
    if (args.json) writeJsonLine(io.stdout, summary());
    else writeLines(io.stdout, [...completedText(args, result), ...extra.lines]);
  };
  switch (result.status) {
    case 'completed':
      completed();
      break;
    case 'cancelled': {
      const command = continueCommand(args, result.table, resumable);
      if (args.json) {
        writeJsonLine(io.stdout, summary({ resumeCommand: command }));
        writeLine(
          io.stderr,
          `Cancelled. ${resumable ? 'To resume' : 'To start again'}:\n  ${command}`,
        );
      } else {
        writeLines(io.stdout, [...cancelledText(result, command, resumable), ...extra.lines]);
      }
      break;
    }
    case 'incomplete':
      // Same report as completed; the notes say what is left and why, and the exit code is not success.
      completed();
      writeLine(io.stderr, `${verdict.title} (the notes above say why and what to do).`);
      break;
    case 'nothing-opened': {
      const lines = nothingOpenedText(args, result, sharedOptions(args).openConfig, unicodeHint);
      writeLines(io.stderr, lines);
      if (args.json) writeJsonLine(io.stdout, summary({ message: lines.join('\n') }));
      break;
    }
  }
  return EXIT[verdict.exitClass];
}
