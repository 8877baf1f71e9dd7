/**
 * The one table of vaultstore-admin's options: what parseArgs accepts, the
 * --help rows, the man page and did-you-mean are all made from it, so they
 * cannot drift apart.
 */
import type { ParseArgsConfig } from 'node:util';
import { VAULT_DRIVERS } from '../engine/index.js';

export const COMMANDS = ['info', 'rotate', 'verify', 'worker', 'status', 'cancel'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** What `help <topic>` knows: each command, and vaults in database servers. */
export const HELP_TOPICS = [...COMMANDS, 'databases'] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

export interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  /** the value's placeholder in help ("NAME"); absent: a flag */
  readonly value?: string;
  /** one sentence or two; help and the man page wrap it */
  readonly help: string;
}

/** "better-sqlite3, sql.js or auto": the engine's registry is the one list of drivers. */
const DRIVER_CHOICES = `${VAULT_DRIVERS.map((driver) => driver.name).join(', ')} or auto`;

const CRYPTO_SYNTAX =
  'default, lightweight, high, tiny or t=3,m=65536,p=4[,k=32,salt=16] (m in KiB; k: key length ' +
  '16/24/32 bytes = AES-128/192/256; salt: salt size in bytes; default: default)';

const HELP: OptionSpec = { name: 'help', short: 'h', help: 'this help' };
const JSON_OUTPUT: OptionSpec = {
  name: 'json',
  help: 'progress as JSON lines on stdout, then a JSON summary (errors too)',
};
const TABLE: OptionSpec = {
  name: 'table',
  value: 'NAME',
  help: 'the vault table (needed when the vault has several)',
};
/** worker, status, cancel: the ledger is found by the table's name, never guessed. */
const TABLE_REQUIRED: OptionSpec = { ...TABLE, help: 'the vault table (required)' };
/** --NAME-env VAR and --NAME-file FILE: the two ways a script hands over a secret. */
function secretOptions(name: string, what: string, note = ''): readonly OptionSpec[] {
  return [
    {
      name: `${name}-env`,
      value: 'VAR',
      help: `read the ${what} from environment variable VAR${note}`,
    },
    { name: `${name}-file`, value: 'FILE', help: `read the ${what} from FILE ("-": from stdin)` },
  ];
}
const OLD_PASSWORD = secretOptions('old-password', 'old password');
const NEW_PASSWORD = secretOptions('new-password', 'new password');
const WORKERS: OptionSpec = {
  name: 'workers',
  value: 'N',
  help: 'parallel workers (default: number of CPU cores)',
};
const KDF: OptionSpec = {
  name: 'kdf',
  value: 'NAME',
  help: 'Argon2id backend: native, wasm or auto (default auto)',
};
const DRIVER: OptionSpec = {
  name: 'driver',
  value: 'NAME',
  help: `SQLite driver of a vault file: ${DRIVER_CHOICES} (default auto; not with a connection string)`,
};
const CHECKPOINT_DIR: OptionSpec = {
  name: 'checkpoint-dir',
  value: 'DIR',
  help: 'where rotations keep their checkpoints (default: next to the vault file, or the state folder for a server)',
};
/** The Redis of a distributed rotation (rotate --queue, worker). */
const QUEUE: readonly OptionSpec[] = [
  ...secretOptions('queue-password', 'Redis password', ' (never in the URL)'),
  {
    name: 'queue-ca',
    value: 'FILE',
    help: 'rediss://: a CA certificate (PEM) to trust for the Redis server besides the system ones',
  },
];
const SERVER_TIMEOUT: OptionSpec = {
  name: 'server-timeout',
  value: 'SECONDS',
  help: 'a database server: drop the connection and stop when one statement gets no answer for this long (a stalled network; default 900)',
};
const LEDGER_SCHEMA: OptionSpec = {
  name: 'ledger-schema',
  value: 'NAME',
  help: "the schema (MySQL: database) of the distributed rotation's ledger tables (default: the vault table's)",
};
const DB_PASSWORD: readonly OptionSpec[] = [
  {
    name: 'db-password-env',
    value: 'VAR',
    help: 'a vault in a database server: the database password from environment variable VAR',
  },
  {
    name: 'db-password-file',
    value: 'FILE',
    help: 'the database password from FILE ("-": from stdin)',
  },
  {
    name: 'db-option-file',
    value: 'FILE',
    help: 'MySQL option file ([client] user=, password=; default ~/.my.cnf)',
  },
];

export const COMMAND_SPECS: Readonly<Record<CommandName, readonly OptionSpec[]>> = {
  info: [
    { ...JSON_OUTPUT, help: 'print one JSON object instead of the table' },
    { ...DRIVER, help: `SQLite driver: ${DRIVER_CHOICES} (default auto)` },
    { ...CHECKPOINT_DIR, help: 'where rotations keep their checkpoints (as given to rotate)' },
    ...DB_PASSWORD,
    HELP,
  ],
  rotate: [
    TABLE,
    { name: 'crypto', value: 'SPEC', help: `Argon2id parameters of the vault: ${CRYPTO_SYNTAX}` },
    {
      name: 'new-crypto',
      value: 'SPEC',
      help: 'Argon2id parameters for the values written (default: --crypto)',
    },
    {
      name: 'skip-soft-deleted',
      help: 'leave soft-deleted records under the old password, as the Go library does (default: rotate them too)',
    },
    { name: 'dry-run', help: 'count what would be rotated; write nothing' },
    { name: 'backup', value: 'PATH', help: 'write the backup here' },
    {
      name: 'backup-table',
      value: 'NAME',
      help: 'a vault in a database server: back up into this new table of the same database instead of a local file',
    },
    { name: 'no-backup', help: 'no backup (not recommended)' },
    WORKERS,
    {
      name: 'resume',
      help: 'continue a cancelled or interrupted rotation (after proving it is the same one; none: start from the beginning)',
    },
    { name: 'restart', help: 'discard an unfinished rotation and start over' },
    {
      name: 'allow-triggers',
      help: 'rotate although the table has triggers (they run on every rotated record; default: refuse)',
    },
    {
      name: 'skip-config-check',
      help: 'do not refuse Argon2id settings under which legacy v1 records open but no sampled v2 record does',
    },
    {
      name: 'scan-anyway',
      help: 'test every record although no sampled record opened with the old password (refused before the scan by default, exit 4)',
    },
    CHECKPOINT_DIR,
    {
      name: 'queue',
      value: 'URL',
      help: 'a distributed rotation: coordinate the shards through this Redis (redis://host:port[/db] or rediss://...); workers on other machines join with "vaultstore-admin worker"',
    },
    ...QUEUE,
    {
      name: 'no-local-worker',
      help: '--queue: this machine only coordinates; the worker processes do all the work',
    },
    {
      name: 'shards',
      value: 'N',
      help: '--queue: cut the table into N shards (default: by time, at least 8 per expected worker)',
    },
    {
      name: 'keep-ledger',
      help: '--queue: keep the ledger tables (vsa_*) after the rotation (default: dropped once complete)',
    },
    LEDGER_SCHEMA,
    SERVER_TIMEOUT,
    JSON_OUTPUT,
    KDF,
    DRIVER,
    {
      name: 'min-password-bytes',
      value: 'N',
      help: "password policy of the vault (default 16, the library's)",
    },
    { name: 'require-upper', help: 'the new password needs an upper-case letter (A-Z)' },
    { name: 'require-lower', help: 'the new password needs a lower-case letter (a-z)' },
    { name: 'require-digit', help: 'the new password needs a digit (0-9)' },
    {
      name: 'require-symbol',
      help: "the new password needs any other character (the library's optional rules)",
    },
    ...OLD_PASSWORD,
    ...NEW_PASSWORD,
    ...DB_PASSWORD,
    HELP,
  ],
  verify: [
    TABLE,
    { name: 'crypto', value: 'SPEC', help: `Argon2id parameters of the vault: ${CRYPTO_SYNTAX}` },
    {
      name: 'sample',
      value: 'N',
      help: 'test N records spread over the table instead of all of them',
    },
    {
      name: 'fail-if-any-open',
      help: 'the password given is one that must no longer work (the old one after a rotation): exit 7 if any record still opens with it, 0 if none does',
    },
    { name: 'skip-soft-deleted', help: 'do not test soft-deleted records' },
    WORKERS,
    JSON_OUTPUT,
    KDF,
    DRIVER,
    {
      name: 'password-env',
      value: 'VAR',
      help: 'read the password to test from environment variable VAR',
    },
    {
      name: 'password-file',
      value: 'FILE',
      help: 'read the password to test from FILE ("-": from stdin)',
    },
    ...DB_PASSWORD,
    HELP,
  ],
  worker: [
    TABLE_REQUIRED,
    { name: 'queue', value: 'URL', help: 'the Redis the coordinator (rotate --queue) uses' },
    ...QUEUE,
    { ...WORKERS, help: 'derivations in parallel on this machine (default: number of CPU cores)' },
    KDF,
    LEDGER_SCHEMA,
    {
      ...SERVER_TIMEOUT,
      help: 'drop the database connection when one statement gets no answer for this long (a stalled network: the shard goes to another worker; default 900)',
    },
    {
      name: 'no-wait',
      help: 'exit 0 at once when no rotation of the table is running, instead of waiting for one (a Job pod started after the end finishes)',
    },
    {
      name: 'json',
      help: 'events as JSON lines on stdout, then a JSON summary (errors too)',
    },
    ...OLD_PASSWORD,
    ...NEW_PASSWORD,
    ...DB_PASSWORD,
    HELP,
  ],
  status: [
    TABLE_REQUIRED,
    LEDGER_SCHEMA,
    { ...JSON_OUTPUT, help: 'print one JSON object instead of the text' },
    ...DB_PASSWORD,
    HELP,
  ],
  cancel: [
    TABLE_REQUIRED,
    LEDGER_SCHEMA,
    { ...JSON_OUTPUT, help: 'print the state after the cancel as one JSON object' },
    ...DB_PASSWORD,
    HELP,
  ],
};

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The parseArgs configuration of a command. */
export function parseArgsOptions(command: CommandName): OptionsConfig {
  const options: OptionsConfig = {};
  for (const spec of COMMAND_SPECS[command]) {
    options[spec.name] = {
      type: spec.value === undefined ? 'boolean' : 'string',
      ...(spec.short !== undefined && { short: spec.short }),
    };
  }
  return options;
}

/** "-h, --help", "--table NAME": an option as help and the man page show it. */
export function optionLabel(spec: OptionSpec): string {
  const long = `--${spec.name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
  return spec.short === undefined ? long : `-${spec.short}, ${long}`;
}
