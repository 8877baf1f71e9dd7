/** Runs one vaultstore-admin invocation and returns its exit code. */
import { parseCommandLine, type Invocation } from './args.js';
import { runInfo } from './commands/info.js';
import { runCancel, runStatus } from './commands/ledger-commands.js';
import { runRotate } from './commands/rotate.js';
import { runDistributedRotate } from './commands/rotate-distributed.js';
import { runWorker } from './commands/worker.js';
import { runVerify } from './commands/verify.js';
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
        if (invocation.args.distributed !== null) {
          return await runDistributedRotate(invocation.args, invocation.args.distributed, context);
        }
        return await runRotate(invocation.args, context);
      case 'verify':
        return await runVerify(invocation.args, context);
      case 'worker':
        return await runWorker(invocation.args, context);
      case 'status':
        return await runStatus(invocation.args, io);
      case 'cancel':
        return await runCancel(invocation.args, io);
    }
  } catch (error) {
    return reportFailure(error, io, wantsJson(invocation, argv));
  }
}
