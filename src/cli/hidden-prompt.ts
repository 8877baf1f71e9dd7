/**
 * Reads passwords from a terminal without echo: raw mode, and nothing is
 * shown while typing (as ssh, sudo and psql do: not even the length).
 * Handles backspace, Ctrl-U (clear), Ctrl-C (cancel) and Ctrl-D on an empty
 * line (end of input); escape sequences (arrow keys) are ignored. The typed
 * bytes never exist as a JS string.
 *
 * Raw mode is switched on before the first prompt is shown and stays on
 * until the last answer: in between, the terminal would echo whatever is
 * typed (or pasted) ahead. Bytes typed ahead wait for the next prompt.
 */
import { CancelledByUser, CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { CANCEL_SIGNALS, type SignalSource } from './cancel-signals.js';
import type { TerminalInput, TextOutput } from './io.js';
import { SecretBytes } from './secret-bytes.js';

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const CTRL_U = 0x15;
const ESCAPE = 0x1b;
const DELETE = 0x7f;

type KeyOutcome = 'continue' | 'done' | 'cancel' | 'eof';

interface Question {
  readonly typed: SecretBytes;
  resolve(answer: Uint8Array): void;
  reject(error: Error): void;
}

export class HiddenInput {
  /** bytes received but not yet read by a prompt (typed ahead) */
  private readonly queue: Buffer[] = [];
  private question: Question | null = null;
  private ended = false;
  /** an answer ended with CR: a LF right after it belongs to the same Enter */
  private skipLineFeed = false;
  private failure: Error | null = null;
  private closed = false;
  private readonly wasRaw: boolean;
  private readonly setRawMode: (mode: boolean) => unknown;

  private constructor(
    private readonly input: TerminalInput,
    private readonly output: TextOutput,
    private readonly signals: SignalSource,
  ) {
    const setRawMode = input.setRawMode?.bind(input);
    if (!input.isTTY || !setRawMode) {
      throw new CliError(EXIT.usage, 'cannot ask for a password: stdin is not a terminal.');
    }
    this.setRawMode = setRawMode;
    this.wasRaw = input.isRaw === true;
    setRawMode(true);
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('error', this.onError);
    // SIGTERM, SIGHUP (or a SIGINT from outside) at a prompt: give the terminal back, then cancel.
    for (const name of CANCEL_SIGNALS) signals.on(name, this.onSignal);
    input.resume();
  }

  /** Takes the terminal; close() gives it back. Throws when `input` is not a terminal. */
  static open(
    input: TerminalInput,
    output: TextOutput,
    signals: SignalSource = process,
  ): HiddenInput {
    return new HiddenInput(input, output, signals);
  }

  ask(prompt: string): Promise<Uint8Array> {
    if (this.closed || this.question) {
      return Promise.reject(
        new CliError(EXIT.error, 'internal: the password prompt is busy or closed.'),
      );
    }
    this.output.write(prompt);
    return new Promise<Uint8Array>((resolve, reject) => {
      this.question = { typed: new SecretBytes(), resolve, reject };
      this.drain();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    for (const name of CANCEL_SIGNALS) this.signals.off(name, this.onSignal);
    try {
      this.setRawMode(this.wasRaw);
    } catch {
      // the terminal is gone (SIGHUP): nothing to give back
    }
    this.input.pause();
    for (const chunk of this.queue.splice(0)) chunk.fill(0);
    if (this.question) {
      this.output.write('\n');
      this.question.typed.clear();
      this.question.reject(new CancelledByUser());
      this.question = null;
    }
  }

  private readonly onSignal = (): void => this.close();

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    // An escape sequence (arrow key, function key) arrives as one chunk: ignore it whole.
    if (bytes[0] !== ESCAPE) this.queue.push(Buffer.from(bytes));
    bytes.fill(0);
    this.drain();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.drain();
  };

  private readonly onError = (error: Error): void => {
    this.failure = error;
    this.drain();
  };

  private drain(): void {
    while (this.question && this.queue.length > 0) {
      const chunk = this.queue[0]!;
      let used = 0;
      let outcome: KeyOutcome = 'continue';
      while (used < chunk.length && outcome === 'continue') {
        const byte = chunk[used]!;
        chunk[used++] = 0;
        const isLineFeedOfEnter = this.skipLineFeed && byte === LINE_FEED;
        this.skipLineFeed = false;
        if (isLineFeedOfEnter) continue;
        outcome = this.handleByte(this.question.typed, byte);
        if (outcome === 'done') this.skipLineFeed = byte === CARRIAGE_RETURN;
      }
      if (used === chunk.length) this.queue.shift();
      else this.queue[0] = chunk.subarray(used);
      if (outcome !== 'continue') this.answer(outcome);
    }
    if (this.question && this.failure) this.answer(this.failure);
    else if (this.question && this.ended) this.answer('eof');
  }

  private answer(outcome: Exclude<KeyOutcome, 'continue'> | Error): void {
    const question = this.question;
    if (!question) return;
    this.question = null;
    this.output.write('\n');
    if (outcome === 'done') {
      question.resolve(question.typed.take());
      return;
    }
    question.typed.clear();
    if (outcome === 'cancel') question.reject(new CancelledByUser());
    else if (outcome === 'eof') question.reject(new CliError(EXIT.usage, 'no password entered.'));
    else question.reject(outcome);
  }

  private handleByte(typed: SecretBytes, byte: number): KeyOutcome {
    switch (byte) {
      case CARRIAGE_RETURN:
      case LINE_FEED:
        return 'done';
      case CTRL_C:
        return 'cancel';
      case CTRL_D:
        return typed.length === 0 ? 'eof' : 'continue';
      case BACKSPACE:
      case DELETE:
        typed.popCharacter();
        return 'continue';
      case CTRL_U:
        typed.clear();
        return 'continue';
      default:
        if (byte >= 0x20) typed.push(byte);
        return 'continue';
    }
  }
}

/** One prompt on its own (the terminal is taken and given back around it). */
export async function readHiddenLine(
  prompt: string,
  input: TerminalInput,
  output: TextOutput,
): Promise<Uint8Array> {
  let session: HiddenInput;
  try {
    session = HiddenInput.open(input, output);
  } catch (error) {
    return Promise.reject(error);
  }
  try {
    return await session.ask(prompt);
  } finally {
    session.close();
  }
}
