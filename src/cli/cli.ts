/** Runs one vaultstore-admin invocation and returns its exit code. */
import { parseCommandLine, type Invocation } from './args.js';
import { runInfo } from './commands/info.js';
import { runRotate } from './commands/rotate.js';
import { runVerify } from './commands/verify.js';
import { CliError } from './cli-error.js';
import type { CommandContext } from './context.js';
import { reportFailure } from './engine-errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { helpText } from './help.js';
import { writeLine } from './io.js';
import { CLI_NAME } from './resume-command.js';
import { CLI_VERSION } from './version.js';

/** --json, also when the line did not parse (its usage error is JSON too). */
function wantsJson(invocation: Invocation | null, argv: readonly string[]): boolean {
  if (invocation !== null) return 'args' in invocation && invocation.args.json;
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

// Until the engine's distributed rotation lands (issue 18): parsed and refused, never faked.
function notBuiltYet(): CliError {
  return new CliError(EXIT.error, 'distributed rotation is not in this build yet (issue 18).');
}

export async function runCli(argv: readonly string[], context: CommandContext): Promise<ExitCode> {
  const { io } = context;
  let invocation: Invocation | null = null;
  try {
    invocation = parseCommandLine(argv);
    switch (invocation.command) {
      case 'help':
        // Asked for: stdout and success. Not asked (no command): a usage error.
        io[invocation.asked ? 'stdout' : 'stderr'].write(helpText(invocation.topic));
        return invocation.asked ? EXIT.ok : EXIT.usage;
      case 'version':
        writeLine(io.stdout, `${CLI_NAME} ${CLI_VERSION}`);
        return EXIT.ok;
      case 'info':
        return await runInfo(invocation.args, io);
      case 'rotate':
        if (invocation.args.distributed !== null) throw notBuiltYet();
        return await runRotate(invocation.args, context);
      case 'verify':
        return await runVerify(invocation.args, context);
      case 'worker':
      case 'status':
      case 'cancel':
        throw notBuiltYet();
    }
  } catch (error) {
    return reportFailure(error, io, wantsJson(invocation, argv));
  }
}
