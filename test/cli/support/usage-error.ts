import { parseCommandLine } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/cli/cli-error.js';

/** The UsageError a command line raises; fails the test when it parses. */
export function usageError(argv: readonly string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}
