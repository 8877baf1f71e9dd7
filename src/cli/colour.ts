/**
 * Colour for "error:" and "warning:" on a terminal, and nowhere else: not in
 * a pipe or a log, not with NO_COLOR set (https://no-color.org), not on a
 * dumb terminal. Only the word is coloured; the message stays plain text.
 */
import type { TextOutput } from './text-output.js';

const RED_BOLD = '\x1b[1;31m';
const YELLOW_BOLD = '\x1b[1;33m';
const RESET = '\x1b[0m';

/** A label at the start of a line ("error:", "warning:"), not inside a message. */
const LABEL = /(^|\n)(error|warning):/g;

export function colourWanted(output: TextOutput, env: Record<string, string | undefined>): boolean {
  return output.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

export function colourLabels(text: string): string {
  return text.replace(
    LABEL,
    (_, start: string, label: string) =>
      `${start}${label === 'error' ? RED_BOLD : YELLOW_BOLD}${label}:${RESET}`,
  );
}

/** `output` itself when colour is not wanted; else a stream that colours the labels it writes. */
export function withColouredLabels(
  output: TextOutput,
  env: Record<string, string | undefined>,
): TextOutput {
  if (!colourWanted(output, env)) return output;
  return {
    write: (text: string) => output.write(colourLabels(text)),
    isTTY: true,
    // The terminal's width changes with the window: read it at each use.
    get columns() {
      return output.columns;
    },
  };
}
