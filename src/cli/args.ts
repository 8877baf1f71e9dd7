/**
 * The command line of vaultstore-admin, parsed with node:util parseArgs into
 * one typed invocation. Every mistake is a UsageError (exit 2). Messages never
 * repeat an option's value: a password typed in the wrong place must not be
 * printed back.
 */
import { parseArgs } from 'node:util';
import {
  isEngineError,
  isServerTarget,
  parseServerTarget,
  VAULT_DRIVER_PREFERENCES,
  type ServerTarget,
  type VaultDriverPreference,
} from '../engine/index.js';
import type { DbPasswordOptions, PasswordSource, VaultArguments } from './arg-types.js';
import { UsageError } from './cli-error.js';
import { parseCryptoSpec } from './crypto-spec.js';
import { didYouMean } from './did-you-mean.js';
import {
  cancelArgs,
  distributedRotateArgs,
  isDistributedCommand,
  notDistributedError,
  statusArgs,
  workerArgs,
} from './distributed-args.js';
import {
  KDF_CHOICES,
  MAX_SERVER_TIMEOUT_S,
  MAX_WORKERS,
  choiceOption,
  flag,
  integerOption,
  nonEmpty,
  passwordSource,
  type Values,
} from './option-values.js';
import {
  COMMANDS,
  HELP_TOPICS,
  parseArgsOptions,
  type CommandName,
  type HelpTopic,
} from './options.js';

export { COMMANDS, type CommandName } from './options.js';
export type { DbPasswordOptions, PasswordSource, VaultArguments } from './arg-types.js';
export type {
  BackupChoice,
  CryptoChoice,
  PasswordRuleFlags,
  InfoArgs,
  RotateArgs,
  VerifyArgs,
  Invocation,
} from './invocation.js';
import type {
  BackupChoice,
  CryptoChoice,
  InfoArgs,
  RotateArgs,
  VerifyArgs,
  Invocation,
} from './invocation.js';

const PASSWORD_ON_ARGV =
  'passwords are never accepted as command-line values: other users can read them in the process list and they stay in your shell history.';

function passwordOnArgvError(command: CommandName | null, rawName: string): UsageError {
  const sources = /^-*db-/.test(rawName)
    ? '--db-password-env VAR or --db-password-file FILE (or PGPASSWORD, ~/.pgpass, a MySQL option file)'
    : command === 'verify'
      ? '--password-env VAR or --password-file FILE (FILE "-": stdin)'
      : '--old-password-env VAR / --old-password-file FILE and --new-password-env VAR / --new-password-file FILE (FILE "-": stdin)';
  return new UsageError(
    `${rawName}: ${PASSWORD_ON_ARGV} Use ${sources}, or run in a terminal to be asked for them.`,
    command,
  );
}

/** An option that looks like someone is trying to pass a password value. */
function looksLikePasswordOption(name: string): boolean {
  return /pass(word|wd)?|^pw$|secret/i.test(name) && !/-(env|file)$/.test(name);
}

function isCommand(text: string | undefined): text is CommandName {
  return (COMMANDS as readonly string[]).includes(text ?? '');
}

function isHelpTopic(text: string): text is HelpTopic {
  return (HELP_TOPICS as readonly string[]).includes(text);
}

/** What may stand before a command. */
const GLOBAL_OPTIONS = ['--help', '--version'];

/** The name of an option token without its value ("--old-password=x" -> "--old-password"). */
function optionNameOf(arg: string): string {
  const equals = arg.indexOf('=');
  return equals < 0 ? arg : arg.slice(0, equals);
}

export function parseCommandLine(argv: readonly string[]): Invocation {
  const [first, ...rest] = argv;
  if (first === undefined) return { command: 'help', topic: null, asked: false };
  if (first === '--help' || first === '-h') return { command: 'help', topic: null, asked: true };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { command: 'help', topic: null, asked: true };
    if (!isHelpTopic(topic)) {
      throw new UsageError(
        `no help on "${topic}": ask for one of ${HELP_TOPICS.join(', ')}.${didYouMean(topic, HELP_TOPICS)}`,
      );
    }
    return { command: 'help', topic, asked: true };
  }
  if (['--version', '-V', '-v', 'version'].includes(first)) return { command: 'version' };
  if (first.startsWith('-')) {
    const name = optionNameOf(first);
    const hint = didYouMean(name, GLOBAL_OPTIONS);
    if (hint === '' && looksLikePasswordOption(name.replace(/^-+/, ''))) {
      throw passwordOnArgvError(null, name);
    }
    throw new UsageError(
      `unknown option ${name} before the command: start with one of ${COMMANDS.join(', ')}.${hint}`,
    );
  }
  if (!isCommand(first)) {
    throw new UsageError(
      `unknown command "${first}": use one of ${COMMANDS.join(', ')}.${didYouMean(first, COMMANDS)}`,
    );
  }
  const values = parseCommandOptions(first, rest);
  if (values.values.help === true) return { command: 'help', topic: first, asked: true };
  const vaultPath = singleVaultPath(first, values.positionals);
  const distributed =
    isDistributedCommand(first) || (first === 'rotate' && values.values.queue !== undefined);
  if (distributed && !isServerTarget(vaultPath)) throw notDistributedError(first, vaultPath);
  const vault = vaultArguments(first, vaultPath, values.values);
  switch (first) {
    case 'info':
      return { command: 'info', args: { ...vault, ...infoArgs(values.values) } };
    case 'rotate': {
      const args = withBackupFor(vault, rotateArgs(values.values));
      oneFromStdin('rotate', [
        args.dbPassword.source,
        args.oldPassword,
        args.newPassword,
        args.distributed?.queue.password ?? { kind: 'prompt' },
      ]);
      return { command: 'rotate', args };
    }
    case 'verify': {
      const args = { ...vault, ...verifyArgs(values.values) };
      oneFromStdin('verify', [args.dbPassword.source, args.password]);
      return { command: 'verify', args };
    }
    case 'worker': {
      const args = workerArgs(vault, values.values);
      oneFromStdin('worker', [
        args.dbPassword.source,
        args.oldPassword,
        args.newPassword,
        args.queue.password ?? { kind: 'prompt' },
      ]);
      return { command: 'worker', args };
    }
    case 'status':
      return { command: 'status', args: statusArgs(vault, values.values) };
    case 'cancel':
      return { command: 'cancel', args: cancelArgs(vault, values.values) };
  }
}

/** stdin holds one password at most: two "-" would leave the split to guesswork. */
function oneFromStdin(command: CommandName, sources: readonly PasswordSource[]): void {
  if (sources.filter((source) => source.kind === 'stdin').length > 1) {
    throw new UsageError(
      'only one password can come from stdin ("-"): give the others with a file or an environment variable (or type them at the prompt).',
      command,
    );
  }
}

/** --backup-table copies into the vault's own database: a file has none. */
function withBackupFor(vault: VaultArguments, own: OwnArgs<RotateArgs>): RotateArgs {
  if (own.backup.kind === 'table' && vault.server === null) {
    throw new UsageError(
      '--backup-table makes the backup a new table in the same database, for a vault in a database ' +
        'server; this vault is a file: use --backup PATH.',
      'rotate',
    );
  }
  if (own.serverTimeoutSeconds !== undefined && vault.server === null) {
    throw new UsageError(
      '--server-timeout bounds the wait for a database server; this vault is a file.',
      'rotate',
    );
  }
  return { ...vault, ...own };
}

/** The vault argument and the options that only make sense with a file, or with a server. */
function vaultArguments(command: CommandName, vaultPath: string, values: Values): VaultArguments {
  const dbPassword: DbPasswordOptions = {
    source: passwordSource(values, 'db-password', command),
    optionFile: nonEmpty(values, 'db-option-file', command),
  };
  if (!isServerTarget(vaultPath)) {
    if (dbPassword.source.kind !== 'prompt' || dbPassword.optionFile !== undefined) {
      throw new UsageError(
        '--db-password-env, --db-password-file and --db-option-file are for a vault in a database server ' +
          '(a connection string such as postgres://user@host:5432/db); this vault is a file.',
        command,
      );
    }
    return { vaultPath, server: null, dbPassword };
  }
  let server: ServerTarget;
  try {
    server = parseServerTarget(vaultPath);
  } catch (error) {
    // The engine's messages never repeat the URL (it may hold a password).
    if (isEngineError(error)) throw new UsageError(error.message, command);
    throw error;
  }
  if (values.driver !== undefined) {
    throw new UsageError(
      `--driver chooses the SQLite library that opens a vault file; ${server.display} is a database ` +
        'server, which has its own driver: drop --driver.',
      command,
    );
  }
  if (dbPassword.optionFile !== undefined && server.dialect !== 'mysql') {
    throw new UsageError(
      '--db-option-file reads a MySQL/MariaDB option file; for PostgreSQL give the password with ' +
        '--db-password-file, --db-password-env, PGPASSWORD or ~/.pgpass, or type it at the prompt.',
      command,
    );
  }
  return { vaultPath, server, dbPassword };
}

function parseCommandOptions(
  command: CommandName,
  args: readonly string[],
): { values: Values; positionals: string[] } {
  const options = parseArgsOptions(command);
  // A lenient pass first, to name a bad option without echoing its value.
  const lenient = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = new Set(Object.keys(options));
  const shorts = new Set<string>(
    Object.values(options).flatMap((option) => (option.short === undefined ? [] : [option.short])),
  );
  // --help wins over any other mistake on the line.
  if (lenient.values.help === true) return { values: { help: true }, positionals: [] };
  for (const token of lenient.tokens) {
    if (token.kind !== 'option') continue;
    const isKnown = token.rawName.startsWith('--') ? known.has(token.name) : shorts.has(token.name);
    if (isKnown) continue;
    // A one-letter typo has too many neighbours to guess from: long options only.
    const hint = token.rawName.startsWith('--') ? didYouMean(token.name, [...known], '--') : '';
    // A near-miss of a real option is a typo, even with "password" in it.
    if (hint === '' && looksLikePasswordOption(token.name)) {
      throw passwordOnArgvError(command, token.rawName);
    }
    throw new UsageError(`unknown option ${token.rawName} for "${command}".${hint}`, command);
  }
  try {
    const strict = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: strict.values as Values, positionals: strict.positionals };
  } catch (error) {
    // parseArgs messages name the option, never a value.
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(message ?? 'invalid options', command);
  }
}

function singleVaultPath(command: CommandName, positionals: readonly string[]): string {
  if (positionals.length === 0) {
    throw new UsageError(
      `"${command}" needs the path of a vault file (vault.db) or a connection string (postgres://user@host/db).`,
      command,
    );
  }
  if (positionals.length > 1) {
    // Do not print the extra arguments: one of them may be a password.
    throw new UsageError(
      `"${command}" takes one vault file, got ${positionals.length} arguments. Passwords are never given as arguments.`,
      command,
    );
  }
  const [path = ''] = positionals;
  if (path === '') throw new UsageError(`the vault path is empty.`, command);
  return path;
}

function cryptoOption(
  values: Values,
  name: string,
  command: CommandName,
): CryptoChoice | undefined {
  const spec = nonEmpty(values, name, command);
  if (spec === undefined) return undefined;
  try {
    return { spec, config: parseCryptoSpec(spec, `--${name}`) };
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(error.message, command);
    throw error;
  }
}

/** 'auto' and every registered storage driver. */
const DRIVER_CHOICES: readonly VaultDriverPreference[] = VAULT_DRIVER_PREFERENCES;

type OwnArgs<T> = Omit<T, keyof VaultArguments>;

function infoArgs(values: Values): OwnArgs<InfoArgs> {
  return {
    json: flag(values, 'json'),
    driver: choiceOption(values, 'driver', DRIVER_CHOICES, 'info'),
    checkpointDir: nonEmpty(values, 'checkpoint-dir', 'info'),
  };
}

function backupChoice(values: Values): BackupChoice {
  const path = nonEmpty(values, 'backup', 'rotate');
  const table = nonEmpty(values, 'backup-table', 'rotate');
  const none = flag(values, 'no-backup');
  if ([path !== undefined, table !== undefined, none].filter(Boolean).length > 1) {
    throw new UsageError(
      'give one of --backup PATH, --backup-table NAME or --no-backup.',
      'rotate',
    );
  }
  if ((path !== undefined || table !== undefined) && flag(values, 'dry-run')) {
    throw new UsageError(
      '--dry-run writes nothing, so it makes no backup: drop --backup / --backup-table.',
      'rotate',
    );
  }
  if (none) return { kind: 'none' };
  if (table !== undefined) return { kind: 'table', table };
  return path === undefined ? { kind: 'default' } : { kind: 'path', path };
}

function rotateArgs(values: Values): OwnArgs<RotateArgs> {
  return {
    table: nonEmpty(values, 'table', 'rotate'),
    crypto: cryptoOption(values, 'crypto', 'rotate'),
    newCrypto: cryptoOption(values, 'new-crypto', 'rotate'),
    skipSoftDeleted: flag(values, 'skip-soft-deleted'),
    dryRun: flag(values, 'dry-run'),
    backup: backupChoice(values),
    workers: integerOption(values, 'workers', 1, MAX_WORKERS, 'rotate'),
    resume: flag(values, 'resume'),
    restart: flag(values, 'restart'),
    allowTriggers: flag(values, 'allow-triggers'),
    skipConfigCheck: flag(values, 'skip-config-check'),
    scanAnyway: flag(values, 'scan-anyway'),
    json: flag(values, 'json'),
    kdf: choiceOption(values, 'kdf', KDF_CHOICES, 'rotate'),
    driver: choiceOption(values, 'driver', DRIVER_CHOICES, 'rotate'),
    checkpointDir: nonEmpty(values, 'checkpoint-dir', 'rotate'),
    serverTimeoutSeconds: integerOption(
      values,
      'server-timeout',
      1,
      MAX_SERVER_TIMEOUT_S,
      'rotate',
    ),
    minPasswordBytes: integerOption(values, 'min-password-bytes', 1, 4096, 'rotate'),
    passwordRules: {
      requireUpper: flag(values, 'require-upper'),
      requireLower: flag(values, 'require-lower'),
      requireDigit: flag(values, 'require-digit'),
      requireSymbol: flag(values, 'require-symbol'),
    },
    oldPassword: passwordSource(values, 'old-password', 'rotate'),
    newPassword: passwordSource(values, 'new-password', 'rotate'),
    distributed: distributedRotateArgs(values),
  };
}

function verifyArgs(values: Values): OwnArgs<VerifyArgs> {
  return {
    table: nonEmpty(values, 'table', 'verify'),
    crypto: cryptoOption(values, 'crypto', 'verify'),
    sample: integerOption(values, 'sample', 1, Number.MAX_SAFE_INTEGER, 'verify'),
    failIfAnyOpen: flag(values, 'fail-if-any-open'),
    skipSoftDeleted: flag(values, 'skip-soft-deleted'),
    workers: integerOption(values, 'workers', 1, MAX_WORKERS, 'verify'),
    json: flag(values, 'json'),
    kdf: choiceOption(values, 'kdf', KDF_CHOICES, 'verify'),
    driver: choiceOption(values, 'driver', DRIVER_CHOICES, 'verify'),
    password: passwordSource(values, 'password', 'verify'),
  };
}
