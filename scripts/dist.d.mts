/** Types of dist.mjs (a plain .mjs run by `npm run dist`; tests import it). */

export interface ElectronBuilderOptions {
  readonly cwd: string;
  /** where electron-builder's error output (its stack) goes when it fails */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly err?: NodeJS.WritableStream;
}

/** Runs electron-builder; on failure one paragraph on `err`, the rest in `logFile`. */
export function runElectronBuilder(
  args: string[],
  options: ElectronBuilderOptions,
): Promise<number>;
