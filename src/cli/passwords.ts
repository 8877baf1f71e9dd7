/**
 * Where passwords come from: an environment variable (deleted once read, so no
 * child process inherits it), a file (one trailing newline stripped), stdin
 * (a file option given "-"), or a prompt without echo on a terminal. Never argv. Passwords are UTF-8 bytes
 * the caller zeroes after the job.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { PasswordSource } from './args.js';
import { CliError, UsageError } from './cli-error.js';
import { EXIT } from './exit-codes.js';
import { HiddenInput } from './hidden-prompt.js';
import type { CliIo } from './io.js';
import { sameBytes, zeroBytes } from './secret-bytes.js';
import { shellQuote } from './shell-quote.js';
import { readStdinSecret, withoutTrailingNewline } from './stdin-secret.js';
import { printable } from './terminal-text.js';

/** How a password is named in messages and options ("old password", "--old-password"). */
export interface PasswordRole {
  readonly label: string;
  readonly option: string;
  readonly prompt: string;
  /** ask twice on a terminal (a new password) */
  readonly confirm: boolean;
}

const MAX_PROMPT_ATTEMPTS = 3;

/** What a variable name looks like in a shell: anything else was probably the password itself. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/*
 * The value given to --*-env or --*-file is never printed back: people type
 * `--old-password-env "$OLD_PW"` (the password, not the variable's name).
 */
export function readFromEnvironment(variable: string, role: PasswordRole, io: CliIo): Uint8Array {
  const option = `${role.option}-env`;
  if (!VARIABLE_NAME.test(variable)) {
    throw new UsageError(
      `${option} expects the NAME of an environment variable that holds the ${role.label} (letters, digits and _, ` +
        `e.g. ${option} VSA_PASSWORD), but the value given is not a variable name. It is not shown here because ` +
        `it may be the password itself: write the variable's name without "$".`,
    );
  }
  const value = io.env[variable];
  if (value === undefined) {
    throw new UsageError(
      `the environment variable named by ${option} is not set (or not exported). ${option} expects the NAME ` +
        `of a variable that holds the ${role.label} (e.g. export VSA_PASSWORD, then ${option} VSA_PASSWORD), not ` +
        'the password; the name given is not shown in case it is the password.',
    );
  }
  delete io.env[variable];
  return new TextEncoder().encode(value);
}

/** A password file other users can read or change, as ssh warns about private keys. */
function looseModeWarning(path: string, mode: number, role: PasswordRole): string | null {
  if (process.platform === 'win32' || (mode & 0o077) === 0) return null;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return (
    `warning: the ${role.label} file ${shellQuote(path)} (${role.option}-file) is accessible to other users ` +
    `(mode ${octal}). Restrict it to its owner: chmod 600 ${shellQuote(path)}`
  );
}

/** The file's content, and a warning when its permissions let other users read or change it. */
function readSecretFile(
  path: string,
  role: PasswordRole,
): { content: Buffer; warning: string | null } {
  const fd = openSync(path, 'r');
  try {
    const warning = looseModeWarning(path, fstatSync(fd).mode, role);
    return { content: readFileSync(fd), warning };
  } finally {
    closeSync(fd);
  }
}

/**
 * A secret file's whole content (the caller zeroes it): errors say what is
 * wrong without the value given (it may be the password itself), and `warn`
 * gets a line when the file is readable or writable by group or others.
 */
export function readSecretFileBytes(
  path: string,
  role: PasswordRole,
  warn: (line: string) => void = () => {},
  option = `${role.option}-file`,
): Buffer {
  try {
    const read = readSecretFile(path, role);
    if (read.warning) warn(read.warning);
    return read.content;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : `${code ?? 'read error'}`;
    throw new CliError(
      EXIT.error,
      `cannot read the ${role.label} file given with ${option}: ${why}. The option expects the ` +
        `path of a file that holds the ${role.label}, not the password (the value given is not shown in case it is).`,
    );
  }
}

/**
 * The file's bytes without one trailing "\n" (or "\r\n"): what `echo pw > file` adds.
 * `warn` gets a line when the file is readable or writable by group or others.
 */
export function readFromFile(
  path: string,
  role: PasswordRole,
  warn: (line: string) => void = () => {},
): Uint8Array {
  return withoutTrailingNewline(readSecretFileBytes(path, role, warn));
}

/** Asks on the terminal session; a new password twice, until both entries match. */
async function askOnTerminal(
  role: PasswordRole,
  terminal: HiddenInput,
  io: CliIo,
): Promise<Uint8Array> {
  for (let attempt = 1; attempt <= MAX_PROMPT_ATTEMPTS; attempt++) {
    const first = await terminal.ask(`${role.prompt}: `);
    if (!role.confirm) return first;
    const second = await terminal.ask(`Repeat the ${role.label}: `);
    const match = sameBytes(first, second);
    zeroBytes(second);
    if (match) return first;
    zeroBytes(first);
    io.stderr.write(
      attempt < MAX_PROMPT_ATTEMPTS
        ? 'The two entries differ. Try again.\n'
        : 'The two entries differ.\n',
    );
  }
  throw new CliError(EXIT.usage, `the ${role.label} was not entered the same way twice.`);
}

function noTerminalError(role: PasswordRole, command: string | null): UsageError {
  return new UsageError(
    `no ${role.label} given, and stdin is not a terminal to ask for it: use ${role.option}-env VAR or ${role.option}-file FILE ` +
      `(FILE "-" reads it from stdin, for one password).`,
    command,
  );
}

async function readFromSource(
  source: Exclude<PasswordSource, { kind: 'prompt' }>,
  role: PasswordRole,
  io: CliIo,
): Promise<Uint8Array> {
  switch (source.kind) {
    case 'env':
      return readFromEnvironment(source.variable, role, io);
    case 'file':
      return readFromFile(source.path, role, (line) => io.stderr.write(`${printable(line)}\n`));
    case 'stdin':
      return readStdinSecret(io.stdin, { label: role.label, option: `${role.option}-file` });
  }
}

/**
 * Reads the passwords of one command in order. Sources are checked before
 * anything is read, so a missing one fails before a person types anything;
 * prompts share one terminal session (no echo in between).
 */
export async function readPasswords(
  requests: readonly { readonly source: PasswordSource; readonly role: PasswordRole }[],
  io: CliIo,
  command: string | null,
): Promise<Uint8Array[]> {
  const prompts = requests.filter((request) => request.source.kind === 'prompt');
  const firstPrompt = prompts[0];
  if (firstPrompt && !io.stdin.isTTY) throw noTerminalError(firstPrompt.role, command);
  const terminal = prompts.length > 0 ? HiddenInput.open(io.stdin, io.stderr) : null;
  const passwords: Uint8Array[] = [];
  try {
    for (const { source, role } of requests) {
      if (source.kind !== 'prompt') passwords.push(await readFromSource(source, role, io));
      else if (terminal) passwords.push(await askOnTerminal(role, terminal, io));
    }
    return passwords;
  } catch (error) {
    zeroBytes(...passwords);
    throw error;
  } finally {
    terminal?.close();
  }
}

export async function readPassword(
  source: PasswordSource,
  role: PasswordRole,
  io: CliIo,
  command: string | null = null,
): Promise<Uint8Array> {
  const [password] = await readPasswords([{ source, role }], io, command);
  return password!;
}

export const OLD_PASSWORD: PasswordRole = {
  label: 'old password',
  option: '--old-password',
  prompt: 'Old password',
  confirm: false,
};

export const NEW_PASSWORD: PasswordRole = {
  label: 'new password',
  option: '--new-password',
  prompt: 'New password',
  confirm: true,
};

/** verify: the password whose records are counted (the new one, after a rotation). */
export const VERIFY_PASSWORD: PasswordRole = {
  label: 'password to verify',
  option: '--password',
  prompt: 'Password to verify (the new one, after a rotation)',
  confirm: false,
};

/** verify --fail-if-any-open: a password that must no longer open anything. */
export const NO_LONGER_VALID_PASSWORD: PasswordRole = {
  label: 'password that must open nothing',
  option: '--password',
  prompt: 'Old password (must no longer open any record)',
  confirm: false,
};

export interface RotationPasswords {
  readonly oldPassword: Uint8Array;
  readonly newPassword: Uint8Array;
}

type PasswordRequest = { readonly source: PasswordSource; readonly role: PasswordRole };

/** The old and new password requests of a rotation, checked (two sources, not one). */
export function rotationPasswordRequests(
  oldSource: PasswordSource,
  newSource: PasswordSource,
): PasswordRequest[] {
  if (
    oldSource.kind === 'env' &&
    newSource.kind === 'env' &&
    oldSource.variable === newSource.variable
  ) {
    throw new UsageError(
      '--old-password-env and --new-password-env name the same variable: the two passwords must differ.',
      'rotate',
    );
  }
  return [
    { source: oldSource, role: OLD_PASSWORD },
    { source: newSource, role: NEW_PASSWORD },
  ];
}

export async function readRotationPasswords(
  oldSource: PasswordSource,
  newSource: PasswordSource,
  io: CliIo,
): Promise<RotationPasswords> {
  const [oldPassword, newPassword] = await readPasswords(
    rotationPasswordRequests(oldSource, newSource),
    io,
    'rotate',
  );
  return { oldPassword: oldPassword!, newPassword: newPassword! };
}
