/** How any failure becomes output and an exit code. */
import { isEngineError, type EngineErrorCode } from '../engine/index.js';
import { CliError, UsageError } from './cli-error.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { writeJsonLine, writeLine, type CliIo } from './io.js';
import { CLI_NAME } from './resume-command.js';
import { printable } from './terminal-text.js';

export interface ReportedFailure {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
  readonly resumeCommand?: string;
}

/** A failure after a rotation started: its checkpoint lets it continue once the cause is fixed. */
export class ResumableFailure extends Error {
  constructor(
    readonly failure: unknown,
    readonly resumeCommand: string,
  ) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'ResumableFailure';
  }
}

export function describeFailure(error: unknown): ReportedFailure {
  if (error instanceof ResumableFailure) {
    const failure = describeFailure(error.failure);
    // Refused before it started: the checkpoint there is the running rotation's, not ours to resume.
    if (failure.exitCode === EXIT.rotationInProgress) return failure;
    return { ...failure, resumeCommand: error.resumeCommand };
  }
  if (error instanceof CliError) {
    const code =
      error instanceof UsageError
        ? 'USAGE'
        : error.exitCode === EXIT.cancelled
          ? 'CANCELLED'
          : 'CLI';
    return { exitCode: error.exitCode, code, message: error.message };
  }
  if (isEngineError(error)) {
    return {
      exitCode: exitCodeOf(error.code),
      code: error.code,
      message: error.message,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.error, code: 'INTERNAL', message: `unexpected failure: ${message}` };
}

/**
 * Database server failures are exit 1 like any other error the message
 * explains: SERVER_UNREACHABLE, HOST_NOT_FOUND, SERVER_AUTH, DATABASE_NOT_FOUND,
 * SERVER_PERMISSION and CONNECTION_LOST (committed batches are kept: the
 * rotation resumes with --resume), and for a distributed rotation
 * QUEUE_UNREACHABLE (Redis) and LEDGER_PERMISSION (no CREATE right for the
 * ledger tables). The JSON error line carries the code.
 */
export const SERVER_ERROR_CODES: readonly EngineErrorCode[] = [
  'SERVER_UNREACHABLE',
  'HOST_NOT_FOUND',
  'SERVER_AUTH',
  'DATABASE_NOT_FOUND',
  'SERVER_PERMISSION',
  'CONNECTION_LOST',
  'QUEUE_UNREACHABLE',
  'LEDGER_PERMISSION',
];

export function exitCodeOf(code: EngineErrorCode): ExitCode {
  if (SERVER_ERROR_CODES.includes(code)) return EXIT.error;
  if (code === 'USAGE') return EXIT.usage;
  // A distributed rotation of the table is active (its ledger row), or a local one holds the lock.
  if (code === 'ROTATION_IN_PROGRESS' || code === 'DISTRIBUTED_ACTIVE') {
    return EXIT.rotationInProgress;
  }
  // A worker's passwords do not open the rotation's canaries: its own code, never retried.
  if (code === 'PASSWORDS_REFUSED') return EXIT.passwordsRefused;
  if (code === 'DISTRIBUTED_SQLITE') return EXIT.usage;
  // Refused before anything was written: the same "wrong password or --crypto" family as exit 4
  // (an already rotated vault is exit 4 too, as when a full scan finds it).
  if (code === 'WRONG_ARGON2_CONFIG' || code === 'NOTHING_OPENED' || code === 'ALREADY_ROTATED')
    return EXIT.nothingOpened;
  return EXIT.error;
}

/** "error: <message>" on stderr (plus a pointer to --help for usage errors, a JSON line with --json). */
export function reportFailure(error: unknown, io: CliIo, json: boolean): ExitCode {
  const failure = describeFailure(error);
  if (failure.code === 'CANCELLED') {
    writeLine(io.stderr, 'Cancelled. Nothing was changed.');
  } else {
    // Engine messages quote table names and paths from the vault: escaped.
    writeLine(io.stderr, `error: ${printable(failure.message)}`);
    if (failure.resumeCommand) {
      writeLine(
        io.stderr,
        `The rotation stopped part-way; committed batches are kept. Once the cause is fixed, continue with:\n  ${failure.resumeCommand}`,
      );
    }
    if (failure.exitCode === EXIT.usage) {
      const command = error instanceof UsageError ? error.command : null;
      writeLine(
        io.stderr,
        `Run "${CLI_NAME}${command ? ` ${command}` : ''} --help" for the options.`,
      );
    }
  }
  if (json) {
    writeJsonLine(io.stdout, {
      type: 'error',
      code: failure.code,
      message: failure.message,
      exitCode: failure.exitCode,
      ...(failure.resumeCommand ? { resumeCommand: failure.resumeCommand } : {}),
    });
  }
  const original = error instanceof ResumableFailure ? error.failure : error;
  if (io.env.VAULTSTORE_ADMIN_DEBUG === '1' && original instanceof Error && original.stack) {
    for (const line of original.stack.split('\n')) writeLine(io.stderr, printable(line));
  }
  return failure.exitCode;
}
