/**
 * Password sources (files, environment, the hidden prompt), the resume
 * command, and the Ctrl-C handling. The prompt is driven here through a
 * stand-in terminal stream; test/cli/terminal.test.ts drives it in a real
 * pseudo-terminal.
 */
import { EventEmitter } from 'node:events';
import { chmodSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../src/core/argon2.js';
import { parseCommandLine, type RotateArgs } from '../../src/cli/args.js';
import { handleCancelSignals } from '../../src/cli/cancel-signals.js';
import { CancelledByUser, CliError, UsageError } from '../../src/cli/cli-error.js';
import { HiddenInput, readHiddenLine } from '../../src/cli/hidden-prompt.js';
import type { CliIo } from '../../src/cli/io.js';
import {
  NEW_PASSWORD,
  OLD_PASSWORD,
  readFromEnvironment,
  readFromFile,
  readRotationPasswords,
} from '../../src/cli/passwords.js';
import { resumeCommand } from '../../src/cli/resume-command.js';
import { SecretBytes, sameBytes } from '../../src/cli/secret-bytes.js';
import { shellQuote } from '../../src/cli/shell-quote.js';
import { makeTempDir, type TempDir } from '../support/fixtures.js';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Stands in for a terminal's stdin: raw mode is recorded, keys are emitted as data. */
class StandInTerminal extends EventEmitter {
  readonly isTTY = true;
  isRaw = false;
  rawModeChanges: boolean[] = [];
  paused = true;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    this.rawModeChanges.push(mode);
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  type(keys: string | Buffer): void {
    this.emit('data', Buffer.from(keys));
  }
}

class Screen {
  written = '';
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
}

describe('readFromFile', () => {
  let temp: TempDir;
  beforeEach(() => (temp = makeTempDir('vsa-pw-')));
  afterEach(() => temp.dispose());

  it.each([
    ['no newline', 'secret-0123456789', 'secret-0123456789'],
    ['one newline', 'secret-0123456789\n', 'secret-0123456789'],
    ['a CRLF', 'secret-0123456789\r\n', 'secret-0123456789'],
    ['two newlines (only one stripped)', 'secret-0123456789\n\n', 'secret-0123456789\n'],
    ['spaces kept', '  secret 0123456789 \n', '  secret 0123456789 '],
    ['UTF-8 kept as bytes', 'pässwörd-0123456789\n', 'pässwörd-0123456789'],
  ])('%s', (_name, content, expected) => {
    const path = join(temp.path, 'pw');
    writeFileSync(path, content);
    const bytes = readFromFile(path, OLD_PASSWORD);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(text(bytes)).toBe(expected);
  });

  it('a missing file is an error naming the option, never the value (it may be the password)', () => {
    const path = join(temp.path, 'nope-Secret-Typed-Here');
    expect(() => readFromFile(path, NEW_PASSWORD)).toThrow(
      'cannot read the new password file given with --new-password-file: it does not exist. ' +
        'The option expects the path of a file that holds the new password',
    );
    expect(() => readFromFile(path, NEW_PASSWORD)).not.toThrow(/Secret-Typed-Here/);
  });

  it('warns (like ssh) when group or others can read or change the file, never printing its content', () => {
    const path = join(temp.path, 'loose.txt');
    writeFileSync(path, 'loose-Secret-0123456789\n', { mode: 0o640 });
    chmodSync(path, 0o640);
    const warnings: string[] = [];
    expect(text(readFromFile(path, OLD_PASSWORD, (line) => warnings.push(line)))).toBe(
      'loose-Secret-0123456789',
    );
    expect(warnings).toEqual([
      `warning: the old password file ${path} (--old-password-file) is accessible to other users (mode 0640). ` +
        `Restrict it to its owner: chmod 600 ${path}`,
    ]);
    chmodSync(path, 0o600);
    const none: string[] = [];
    readFromFile(path, OLD_PASSWORD, (line) => none.push(line));
    expect(none).toEqual([]);
  });
});

describe('readFromEnvironment', () => {
  it('reads the variable as UTF-8 bytes and deletes it so no child inherits it', () => {
    const env: Record<string, string | undefined> = { VSA_PW: 'pässwörd-0123456789', OTHER: 'x' };
    const io = { env } as unknown as CliIo;
    expect(text(readFromEnvironment('VSA_PW', OLD_PASSWORD, io))).toBe('pässwörd-0123456789');
    expect(env).toEqual({ OTHER: 'x' });
  });

  it('an unset variable is a usage error naming the option, not the variable (it may be the password)', () => {
    const io = { env: {} } as unknown as CliIo;
    expect(() => readFromEnvironment('VSA_NONE', OLD_PASSWORD, io)).toThrow(UsageError);
    expect(() => readFromEnvironment('VSA_NONE', OLD_PASSWORD, io)).toThrow(
      /^the environment variable named by --old-password-env is not set/,
    );
    expect(() => readFromEnvironment('VSA_NONE', OLD_PASSWORD, io)).not.toThrow(/VSA_NONE/);
  });

  it('a value that is no variable name (a password typed in its place) is refused without echo', () => {
    const env: Record<string, string | undefined> = { 'pw with $pace!': 'x' };
    const io = { env } as unknown as CliIo;
    expect(() => readFromEnvironment('pw with $pace!', OLD_PASSWORD, io)).toThrow(
      /^--old-password-env expects the NAME of an environment variable .* not a variable name/,
    );
    expect(() => readFromEnvironment('pw with $pace!', OLD_PASSWORD, io)).not.toThrow(/pace/);
    expect(env, 'nothing read').toEqual({ 'pw with $pace!': 'x' });
  });
});

describe('readHiddenLine', () => {
  it('reads bytes in raw mode, echoes nothing, handles backspace and multi-byte characters', async () => {
    const terminal = new StandInTerminal();
    const screen = new Screen();
    const line = readHiddenLine('Password: ', terminal, screen);
    terminal.type('abX');
    terminal.type('\x7f'); // backspace
    terminal.type('é€'); // two and three UTF-8 bytes
    terminal.type('\x7f');
    terminal.type('\x1b[D'); // left arrow: ignored
    terminal.type('z\r');
    expect(text(await line)).toBe('abéz');
    // Nothing between the prompt and the newline: not even the length shows.
    expect(screen.written).toBe('Password: \n');
    expect(terminal.rawModeChanges).toEqual([true, false]);
    expect(terminal.paused).toBe(true);
    expect(terminal.listenerCount('data')).toBe(0);
  });

  it('Ctrl-U clears the line; a pasted line with its newline ends the prompt', async () => {
    const terminal = new StandInTerminal();
    const screen = new Screen();
    const line = readHiddenLine('P: ', terminal, screen);
    terminal.type('wrong\x15');
    terminal.type('pasted-password-0123456789\n');
    expect(text(await line)).toBe('pasted-password-0123456789');
    expect(screen.written).toBe('P: \n');
  });

  it('Ctrl-C cancels, Ctrl-D on an empty line is end of input; raw mode is restored', async () => {
    const terminal = new StandInTerminal();
    const cancelled = readHiddenLine('P: ', terminal, new Screen());
    terminal.type('abc\x03');
    await expect(cancelled).rejects.toBeInstanceOf(CancelledByUser);
    const ended = readHiddenLine('P: ', terminal, new Screen());
    terminal.type('\x04');
    await expect(ended).rejects.toThrow('no password entered.');
    expect(terminal.isRaw).toBe(false);
  });

  it('SIGTERM at a prompt gives the terminal back and cancels', async () => {
    const terminal = new StandInTerminal();
    const signals = new EventEmitter();
    const session = HiddenInput.open(terminal, new Screen(), signals);
    const answer = session.ask('P: ');
    terminal.type('half-typed');
    signals.emit('SIGTERM');
    await expect(answer).rejects.toBeInstanceOf(CancelledByUser);
    expect(terminal.isRaw).toBe(false);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    expect(terminal.listenerCount('data')).toBe(0);
  });

  it('keeps what is typed ahead for the next prompt, and a CR LF counts as one Enter', async () => {
    const terminal = new StandInTerminal();
    const session = HiddenInput.open(terminal, new Screen(), new EventEmitter());
    try {
      terminal.type('first-0123456789\r\nsecond-0123456789\r');
      expect(text(await session.ask('A: '))).toBe('first-0123456789');
      expect(text(await session.ask('B: '))).toBe('second-0123456789');
      expect(terminal.rawModeChanges).toEqual([true]);
    } finally {
      session.close();
    }
    expect(terminal.rawModeChanges).toEqual([true, false]);
  });

  it('refuses a stream that is not a terminal', async () => {
    const notTerminal = Object.assign(new StandInTerminal(), { isTTY: false });
    await expect(readHiddenLine('P: ', notTerminal, new Screen())).rejects.toBeInstanceOf(CliError);
  });
});

describe('readRotationPasswords on a terminal', () => {
  function terminalIo(terminal: StandInTerminal, screen: Screen): CliIo {
    return { stdin: terminal, stderr: screen, stdout: new Screen(), env: {} };
  }

  /** Types `answers` one by one, each once its prompt is on screen. */
  async function answerPrompts(
    terminal: StandInTerminal,
    screen: Screen,
    answers: string[],
  ): Promise<void> {
    for (const [index, answer] of answers.entries()) {
      while (screen.written.split(': ').length - 1 <= index)
        await new Promise((r) => setImmediate(r));
      terminal.type(`${answer}\r`);
    }
  }

  it('asks the old password once and the new one twice', async () => {
    const terminal = new StandInTerminal();
    const screen = new Screen();
    const passwords = readRotationPasswords(
      { kind: 'prompt' },
      { kind: 'prompt' },
      terminalIo(terminal, screen),
    );
    await answerPrompts(terminal, screen, [
      'old-0123456789abcdef',
      'new-0123456789abcdef',
      'new-0123456789abcdef',
    ]);
    const { oldPassword, newPassword } = await passwords;
    expect(text(oldPassword)).toBe('old-0123456789abcdef');
    expect(text(newPassword)).toBe('new-0123456789abcdef');
    expect(screen.written).toMatch(/Old password: \nNew password: \nRepeat the new password: \n/);
  });

  it('asks again when the two new entries differ', async () => {
    const terminal = new StandInTerminal();
    const screen = new Screen();
    const passwords = readRotationPasswords(
      { kind: 'prompt' },
      { kind: 'prompt' },
      terminalIo(terminal, screen),
    );
    await answerPrompts(terminal, screen, [
      'old-0123456789abcdef',
      'new-0123456789abcdef',
      'typo-0123456789abcdef',
      'new-0123456789abcdef',
      'new-0123456789abcdef',
    ]);
    const { newPassword } = await passwords;
    expect(text(newPassword)).toBe('new-0123456789abcdef');
    expect(screen.written).toContain('The two entries differ. Try again.');
  });

  it('without a terminal, fails before reading anything', async () => {
    const env = { OLD: 'old-0123456789abcdef' };
    const io: CliIo = {
      stdin: Object.assign(new StandInTerminal(), { isTTY: false }),
      stderr: new Screen(),
      stdout: new Screen(),
      env,
    };
    await expect(
      readRotationPasswords({ kind: 'env', variable: 'OLD' }, { kind: 'prompt' }, io),
    ).rejects.toThrow(/no new password given, and stdin is not a terminal/);
    expect(env.OLD).toBe('old-0123456789abcdef');
  });
});

describe('SecretBytes', () => {
  it('grows, zeroes what it drops, and hands its bytes over once', () => {
    const secret = new SecretBytes();
    for (let i = 0; i < 200; i++) secret.push(0x61);
    expect(secret.length).toBe(200);
    const bytes = secret.take();
    expect(bytes.length).toBe(200);
    expect(secret.length).toBe(0);
    expect(secret.take().length).toBe(0);
    expect(sameBytes(bytes, new Uint8Array(200).fill(0x61))).toBe(true);
    expect(sameBytes(bytes, new Uint8Array(199).fill(0x61))).toBe(false);
  });
});

describe('resumeCommand', () => {
  function rotate(argv: string[]): RotateArgs {
    const invocation = parseCommandLine(['rotate', ...argv]);
    if (invocation.command !== 'rotate') throw new Error('not rotate');
    return invocation.args;
  }

  it('repeats the options that matter, adds --resume and the table, names password sources only', () => {
    const args = rotate([
      "my vault's.db",
      '--crypto',
      'tiny',
      '--workers',
      '2',
      '--skip-soft-deleted',
      '--no-backup',
      '--json',
      '--old-password-env',
      'OLD_PW',
      '--new-password-file',
      'new.txt',
    ]);
    expect(resumeCommand(args, 'vault')).toBe(
      `vaultstore-admin rotate ${shellQuote(resolve("my vault's.db"))} --table vault --resume --crypto tiny ` +
        `--skip-soft-deleted --no-backup --workers 2 --json --old-password-env OLD_PW --new-password-file ${resolve('new.txt')}`,
    );
    expect(args.crypto?.config).toEqual(ARGON2_PRESETS.tiny);
  });

  it('quotes what a shell would split or expand', () => {
    expect(shellQuote('plain/path-1.db')).toBe('plain/path-1.db');
    expect(shellQuote('with space')).toBe("'with space'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('$HOME')).toBe("'$HOME'");
    // Control and bidi characters: $'...' with visible escapes, still one pasteable argument.
    expect(shellQuote("a\x1b[2J\r\nb'\\\u202e")).toBe("$'a\\x1b[2J\\x0d\\x0ab\\'\\\\\\u202e'");
  });
});

describe('handleCancelSignals', () => {
  it('first SIGINT, SIGTERM or SIGHUP aborts, the second forces, dispose removes the listeners', () => {
    const source = new EventEmitter();
    const events: string[] = [];
    const handle = handleCancelSignals(
      {
        onCancel: (signal) => events.push(`cancel ${signal}`),
        onForce: () => events.push('force'),
      },
      source,
    );
    expect(handle.signal.aborted).toBe(false);
    source.emit('SIGTERM');
    expect(handle.signal.aborted).toBe(true);
    source.emit('SIGINT');
    expect(events).toEqual(['cancel SIGTERM', 'force']);
    handle.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
    expect(source.listenerCount('SIGHUP')).toBe(0);
  });

  it('SIGHUP (the SSH session closed) cancels like Ctrl-C', () => {
    const source = new EventEmitter();
    const events: string[] = [];
    const handle = handleCancelSignals(
      {
        onCancel: (signal) => events.push(`cancel ${signal}`),
        onForce: () => events.push('force'),
      },
      source,
    );
    source.emit('SIGHUP');
    expect(handle.signal.aborted).toBe(true);
    source.emit('SIGHUP');
    expect(events).toEqual(['cancel SIGHUP', 'force']);
    handle.dispose();
  });
});
