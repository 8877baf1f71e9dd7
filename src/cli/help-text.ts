/**
 * The words of --help and the man page, as data: help.ts lays them out for a
 * terminal, man-page.ts for man(1). The options come from options.ts.
 */
import type { CommandName } from './options.js';

export interface CommandHelp {
  /** what follows "vaultstore-admin <command>" on the usage line */
  readonly usage: string;
  /** one line, for the list of commands */
  readonly summary: string;
  /** paragraphs */
  readonly description: readonly string[];
  /** paragraphs after the options */
  readonly notes: readonly string[];
  readonly examples: readonly string[];
}

export const VAULT_ARGUMENT = '<vault.db | connection string>';
/** worker, status, cancel: a distributed rotation lives in a database server. */
export const SERVER_ARGUMENT = '<connection string>';

export const PROGRAM_SUMMARY =
  'rotate the password of a VaultStore vault (SQLite file, or a table in a PostgreSQL or MySQL/MariaDB server)';

const PASSWORDS =
  'Passwords are never given as arguments. In a terminal you are asked for them (nothing is ' +
  'echoed; a new password twice). In scripts use an environment variable (read, then removed ' +
  'from the environment) or a file (one trailing newline is stripped); a file option given "-" ' +
  'reads that one password from stdin (only one password may come from stdin).';

const DISTRIBUTED_ROTATE =
  'With --queue the rotation is distributed: this command cuts the table into shards, queues them ' +
  'in Redis and shows the progress of the whole rotation, while "vaultstore-admin worker" ' +
  'processes on any number of machines rotate the shards (this machine works too unless ' +
  "--no-local-worker). Its state is a ledger in the vault's own database (tables vsa_*, dropped " +
  'at the end unless --keep-ledger), so a killed coordinator or worker loses nothing: the same ' +
  'command re-attaches (a cancelled rotation needs --resume). Needs the right to create tables. ' +
  'Not for vault files.';

const QUEUE_PASSWORD =
  'The Redis password is never in the URL: --queue-password-env VAR or --queue-password-file ' +
  'FILE; a redis:// URL (no TLS) gets it only on this machine, use rediss:// for another host.';

const SERVER_POINTER =
  'A vault in a database server is named by a connection string (postgres://user@host/db, ' +
  'mysql://user@host/db): see "vaultstore-admin help databases".';

export const COMMAND_HELP: Readonly<Record<CommandName, CommandHelp>> = {
  info: {
    usage: `${VAULT_ARGUMENT} [options]`,
    summary: 'list the vault tables with their record counts, and any unfinished rotation',
    description: [
      'Lists the vault tables (any table with the VaultStore columns) with their counts: records, ' +
        'soft-deleted, expired, v2 values, v1 values, other. Also shows a rotation that was cancelled ' +
        'or crashed and can be resumed: its table, times, progress and the settings a resume must ' +
        'repeat. Read-only.',
    ],
    notes: [SERVER_POINTER],
    examples: ['vaultstore-admin info app.db'],
  },
  rotate: {
    usage: `${VAULT_ARGUMENT} [options]`,
    summary: 're-encrypt every record that opens with the old password under the new one',
    description: [
      'First a pre-flight check tests the old password on a sample and estimates the time. Then ' +
        'every record is tested with the old password and those that open are re-encrypted under ' +
        'the new one (v2, fresh salt and nonce; v1 records are upgraded). Records that do not open ' +
        'are left byte for byte as they are. A backup is made before the first write. Ctrl-C ' +
        'cancels cleanly (committed batches are kept) and prints the command that resumes.',
    ],
    notes: [
      PASSWORDS,
      `${SERVER_POINTER} On a server the rotation always re-reads the table after its pass (a ` +
        "server cannot tell other programs' commits).",
      DISTRIBUTED_ROTATE,
    ],
    examples: [
      'vaultstore-admin rotate app.db --table vault',
      'vaultstore-admin rotate postgres://admin@db.example/app --table vault --crypto default --queue rediss://redis.example:6379 --old-password-file old.txt --new-password-file new.txt',
      'vaultstore-admin rotate app.db --table vault --old-password-env OLD_PW --new-password-env NEW_PW',
      'vault kv get -field=old app | vaultstore-admin rotate app.db --old-password-file - --new-password-file new.txt',
    ],
  },
  worker: {
    usage: `${SERVER_ARGUMENT} --queue URL [options]`,
    summary: 'rotate shards of a distributed rotation (started by rotate --queue) on this machine',
    description: [
      'Serves the distributed rotation of one vault table: takes shards from the Redis queue and ' +
        'rotates them with its own passwords and its own connection to the database (neither ever ' +
        'travels through the queue). Before taking any shard it checks that both passwords open the ' +
        "rotation's canaries: if not it leaves at once with exit 8 (a retry would fail the same " +
        'way). It waits for a rotation to be planned, exits 0 once the rotation is finished, 3 when ' +
        'it is cancelled. SIGTERM (or Ctrl-C) finishes the batch under way and leaves; its shard ' +
        'goes to another worker. Start as many as you like, on as many machines.',
    ],
    notes: [PASSWORDS, QUEUE_PASSWORD, SERVER_POINTER],
    examples: [
      'vaultstore-admin worker postgres://rotator@db.example/app --table vault --queue rediss://redis.example:6379 --queue-password-file /run/secrets/redis --old-password-file /run/secrets/old --new-password-file /run/secrets/new --db-password-file /run/secrets/db',
    ],
  },
  status: {
    usage: `${SERVER_ARGUMENT} --table NAME [options]`,
    summary: 'show the state of a distributed rotation: shards, counts, workers (read-only)',
    description: [
      "Reads the distributed rotation's ledger in the vault's database: its state, records done " +
        'of the total, shards done, each worker with its host, pool and rate, and when it was last ' +
        'seen. Needs no Redis and no vault password. Exit 0, also when there is no rotation (it ' +
        'says so).',
    ],
    notes: [SERVER_POINTER],
    examples: ['vaultstore-admin status postgres://admin@db.example/app --table vault'],
  },
  cancel: {
    usage: `${SERVER_ARGUMENT} --table NAME [options]`,
    summary: 'cancel a distributed rotation: every worker stops within about a second',
    description: [
      'Marks the distributed rotation cancelled in the ledger: the coordinator and every worker ' +
        'see it within about a second, finish or roll back the batch under way and stop. Committed ' +
        'batches are kept; rotate --queue --resume continues later. Needs no Redis and no vault ' +
        'password. Exit 0 when it was cancelled (or had already stopped), 1 when there is none.',
    ],
    notes: [SERVER_POINTER],
    examples: ['vaultstore-admin cancel postgres://admin@db.example/app --table vault'],
  },
  verify: {
    usage: `${VAULT_ARGUMENT} [options]`,
    summary: 'count the records that open with a password (a check after a rotation)',
    description: [
      'Tests every record of a vault table (or a sample, with --sample) with one password and ' +
        'counts those that open. After a rotation, run it with the new password: every record ' +
        'rotated opens. With --fail-if-any-open, give the old password instead: the command fails ' +
        '(exit 7) if any record still opens with it, for scripts. Read-only.',
    ],
    notes: [PASSWORDS, SERVER_POINTER],
    examples: [
      'vaultstore-admin verify app.db --table vault --password-env NEW_PW',
      'vaultstore-admin verify app.db --table vault --fail-if-any-open --password-file old.txt',
    ],
  },
};

/** `help databases`: said once here instead of in every command's help. */
export const DATABASES_HELP: readonly string[] = [
  'A vault table in a database server is named by a connection string instead of a file: ' +
    'postgres://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem or ' +
    'mysql://user@host:3306/db. info, rotate and verify take one wherever they take a file.',
  'The URL never holds the database password. It comes from --db-password-env VAR, ' +
    '--db-password-file FILE, --db-option-file FILE or ~/.my.cnf (MySQL [client] password=), ' +
    'PGPASSWORD or ~/.pgpass (PostgreSQL), or a prompt on a terminal.',
  'Without sslmode, a server on this machine (localhost, a 127.x address, ::1, a socket) is ' +
    'reached over plain TCP and any other host with verified TLS (verify-full: its certificate ' +
    'must name it; sslmode=require asks for less, at your risk); sslrootcert implies verify-full. ' +
    'Unless the server is verified, a request for the password in clear (PostgreSQL cleartext ' +
    'or MD5, MySQL full authentication) is refused; for MySQL, server-public-key-path=FILE or ' +
    'get-server-public-key=true allow the RSA-encrypted exchange.',
  "A rotation's checkpoint, lock and default backup go to the state folder " +
    '($XDG_STATE_HOME/vaultstore-admin, or --checkpoint-dir); --backup-table NAME backs up into a ' +
    'new table of the same database instead.',
];

export const MORE_HELP =
  'Each command has its own --help; "vaultstore-admin help databases" covers vaults in database ' +
  'servers; docs/cli.md and man vaultstore-admin have the whole reference.';
