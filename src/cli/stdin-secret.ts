/**
 * One password piped on stdin (a file option given "-"), as `docker login
 * --password-stdin` reads it: everything up to the end of input, one trailing
 * newline stripped. Chunks are zeroed once copied.
 */
import { CliError, UsageError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import type { TerminalInput } from './io.js';

/** Far above any real password (1 MiB ones are tested); more is a file piped by mistake. */
export const MAX_STDIN_SECRET_BYTES = 4 * 1024 * 1024;

export interface StdinRole {
  readonly label: string;
  /** the option that named stdin ("--old-password-file") */
  readonly option: string;
}

/** The bytes without one trailing "\n" (or "\r\n"), as `echo pw | ...` adds; `content` is zeroed. */
export function withoutTrailingNewline(content: Buffer): Uint8Array {
  let end = content.length;
  if (content[end - 1] === 0x0a) {
    end -= 1;
    if (content[end - 1] === 0x0d) end -= 1;
  }
  const password = new Uint8Array(content.subarray(0, end));
  content.fill(0);
  return password;
}

export function readStdinSecret(input: TerminalInput, role: StdinRole): Promise<Uint8Array> {
  if (input.isTTY) {
    return Promise.reject(
      new UsageError(
        `${role.option} - reads the ${role.label} from stdin, but stdin is a terminal: pipe the password in ` +
          `(printf '%s' "$PW" | ...), or leave the option out to be asked for it without echo.`,
      ),
    );
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const wipe = (): void => {
      for (const chunk of chunks.splice(0)) chunk.fill(0);
    };
    const settle = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      size += bytes.length;
      chunks.push(Buffer.from(bytes));
      bytes.fill(0);
      if (size > MAX_STDIN_SECRET_BYTES) {
        settle();
        wipe();
        reject(
          new CliError(
            EXIT.usage,
            `more than ${MAX_STDIN_SECRET_BYTES / 1024 / 1024} MiB on stdin for ${role.option} -: that is not a password.`,
          ),
        );
      }
    };
    const onEnd = (): void => {
      settle();
      const content = Buffer.concat(chunks);
      wipe();
      const password = withoutTrailingNewline(content);
      if (password.length === 0) {
        reject(new UsageError(`${role.option} -: stdin was empty; pipe the ${role.label} in.`));
        return;
      }
      resolve(password);
    };
    const onError = (error: Error): void => {
      settle();
      wipe();
      reject(error);
    };
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}
