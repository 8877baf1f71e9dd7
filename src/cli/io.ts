/**
 * What the commands need from the process, as one object: the real process in
 * main.ts, streams the tests control in unit tests.
 */
import { withColouredLabels } from './colour.js';
import { versioned } from './json-output.js';
import { terminalSafeJson } from './terminal-text.js';
import type { TextOutput } from './text-output.js';

export type { TextOutput };

/** A terminal input (process.stdin on a TTY): raw mode lets us read without echo. */
export interface TerminalInput {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'end' | 'close', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface CliIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly stdin: TerminalInput;
  /** the environment: password variables are deleted from it once read */
  readonly env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: withColouredLabels(process.stderr, process.env),
    stdin: process.stdin,
    env: process.env,
  };
}

export function writeLine(output: TextOutput, text = ''): void {
  output.write(`${text}\n`);
}

/**
 * One JSON object per line, with the schema version (json-output.ts); DEL, C1
 * and bidi characters escaped (see terminalSafeJson).
 */
export function writeJsonLine(output: TextOutput, value: object): void {
  output.write(`${terminalSafeJson(versioned(value))}\n`);
}
