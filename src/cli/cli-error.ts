import { EXIT, type ExitCode } from './exit-codes.js';

/**
 * A failure of the CLI itself (not the engine) with the exit code it maps to.
 * The message is printed as "error: <message>" and never holds a password.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A wrong command line: exit 2, with a pointer to the command's --help. */
export class UsageError extends CliError {
  readonly command: string | null;

  constructor(message: string, command: string | null = null) {
    super(EXIT.usage, message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** The person cancelled before any work started (Ctrl-C at a password prompt). */
export class CancelledByUser extends CliError {
  constructor() {
    super(EXIT.cancelled, 'cancelled');
    this.name = 'CancelledByUser';
  }
}
