/** A visible one-line question on the terminal, answered by one of a few letters. */
import type { TerminalInput, TextOutput } from './io.js';

export async function askChoice<T extends string>(
  question: string,
  choices: Readonly<Record<string, T>>,
  input: TerminalInput,
  output: TextOutput,
): Promise<T | null> {
  for (;;) {
    output.write(question);
    const answer = (await readLine(input))?.trim().toLowerCase();
    if (answer === undefined) return null;
    const choice = choices[answer.slice(0, 1)];
    if (choice !== undefined && answer !== '') return choice;
  }
}

/** The next line typed (undefined when the input ends first). */
function readLine(input: TerminalInput): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const done = (line: string | undefined): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end >= 0) done(text.slice(0, end));
    };
    const onEnd = (): void => done(undefined);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
