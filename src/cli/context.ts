import type { SignalSource } from './cancel-signals.js';
import type { CliIo } from './io.js';

/** What a command may touch besides its arguments. */
export interface CommandContext {
  readonly io: CliIo;
  /** where SIGINT/SIGTERM come from (the process) */
  readonly signals: SignalSource;
  /** leaves at once (a forced cancel) */
  readonly exit: (code: number) => never;
}
