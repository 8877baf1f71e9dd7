/** A CliIo whose output is collected (nothing reaches a terminal) and whose stdin is no TTY. */
import type { CliIo } from '../../../src/cli/io.js';

export function collectedIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stdin: {
      isTTY: false,
      on: () => undefined,
      off: () => undefined,
      resume: () => undefined,
      pause: () => undefined,
    },
    env: {},
  };
  return { io, out: () => out, err: () => err };
}
