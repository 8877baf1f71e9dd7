/** Help texts: the short reference; docs/cli.md has the long one. */
import { VAULT_DRIVERS } from '../engine/index.js';
import type { CommandName } from './args.js';

/** "better-sqlite3, sql.js or auto": the engine's registry is the one list of drivers. */
const DRIVER_CHOICES = `${VAULT_DRIVERS.map((driver) => driver.name).join(', ')} or auto`;

const PASSWORDS = `Passwords are never given as arguments. In a terminal you are asked for them
(without echo; the new one twice). In scripts use an environment variable
(read, then removed from the environment) or a file (one trailing newline is
stripped).`;

const SERVER = `A vault table in a database server is named by a connection string instead of
a file: postgres://user@host:5432/db?sslmode=verify-full&sslrootcert=ca.pem or
mysql://user@host:3306/db. The URL never holds the database password: it comes
from --db-password-env VAR, --db-password-file FILE, --db-option-file FILE or
~/.my.cnf (MySQL [client] password=), PGPASSWORD or ~/.pgpass (PostgreSQL),
or the prompt. Checkpoint, lock and default backup go to the state folder
($XDG_STATE_HOME/vaultstore-admin, or --checkpoint-dir).`;

const DB_OPTIONS = `  --db-password-env VAR  the database password from environment variable VAR
  --db-password-file F   the database password from file F
  --db-option-file F     MySQL option file ([client] user=, password=; default ~/.my.cnf)`;

const GLOBAL = `vaultstore-admin: rotate the password of a VaultStore vault (SQLite file,
or a table in a PostgreSQL or MySQL/MariaDB server).

Usage:
  vaultstore-admin info <vault.db | connection string> [--json]
  vaultstore-admin rotate <vault.db | connection string> [options]
  vaultstore-admin verify <vault.db | connection string> [options]
  vaultstore-admin <command> --help
  vaultstore-admin --version

Commands:
  info     list the vault tables of a file with their record counts
  rotate   re-encrypt every record that opens with the old password under the new one
  verify   count the records that open with a password (a check after a rotation)

Exit codes: 0 done, 1 error, 2 usage, 3 cancelled (resumable), 4 the password
opened nothing (wrong password or wrong --crypto, or the vault is already
rotated: the message says which), 5 another rotation of the vault is running,
130 forced exit. Server errors (unreachable, login refused, no such database,
permission, connection lost) exit 1; --json names the code.

${SERVER}
`;

const INFO = `Usage: vaultstore-admin info <vault.db | connection string> [--json] [--driver NAME] [--checkpoint-dir DIR]

Lists the vault tables of the file (any table with the VaultStore columns) with
their counts: records, soft-deleted, expired, v2 values, v1 values, other.
Also shows a rotation that was cancelled or crashed and can be resumed: its
table, times, progress and the settings a resume must repeat.
Opens the file read-only.

Options:
  --json                print one JSON object instead of the table
  --driver NAME         ${DRIVER_CHOICES} (default auto)
  --checkpoint-dir DIR  where rotations keep their checkpoints (as given to rotate)
${DB_OPTIONS}
  -h, --help            this help

${SERVER}
`;

const ROTATE = `Usage: vaultstore-admin rotate <vault.db | connection string> [options]

Tests every record with the old password and re-encrypts those that open under
the new password (v2, fresh salt and nonce; v1 records are upgraded). Records
that do not open are left byte-for-byte as they are. A backup is made next to
the vault before the first write. Ctrl-C cancels cleanly (committed batches are
kept) and prints the command that resumes.

Options:
  --table NAME               the vault table (needed when the file has several)
  --crypto SPEC              Argon2id parameters of the vault: default, lightweight,
                             high, tiny or t=3,m=65536,p=4[,k=32,salt=16]
                             (k: key length 16/24/32 bytes = AES-128/192/256,
                             salt: salt size in bytes; default: default)
  --new-crypto SPEC          parameters for the values written (default: --crypto)
  --skip-soft-deleted        leave soft-deleted records under the old password, as
                             the Go library does (default: rotate them too)
  --dry-run                  count what would be rotated; write nothing
  --backup PATH              write the backup here
  --backup-table NAME        a vault in a database server: back up into this new
                             table of the same database instead of a local file
  --no-backup                no backup (not recommended)
  --workers N                parallel workers (default: number of CPU cores)
  --resume                   continue a cancelled or interrupted rotation (after
                             proving it is the same one; none: start from the beginning)
  --restart                  discard an unfinished rotation and start over
  --allow-triggers           rotate although the table has triggers (they run on
                             every rotated record; default: refuse)
  --skip-config-check        do not refuse Argon2id settings under which legacy v1
                             records open but no sampled v2 record does
  --checkpoint-dir DIR       where resume checkpoints live (default: next to the vault)
  --server-timeout SECONDS   a database server: drop the connection and stop when one
                             statement gets no answer for this long (a stalled
                             network; default 900)
  --json                     progress as JSON lines, then a JSON summary
  --kdf NAME                 Argon2id backend: native, wasm or auto (default auto)
  --driver NAME              SQLite driver: ${DRIVER_CHOICES} (default auto;
                             not with a connection string)
  --min-password-bytes N     password policy of the vault (default 16, the library's)
  --require-upper            the new password needs an upper-case letter (A-Z)
  --require-lower            ... a lower-case letter (a-z)
  --require-digit            ... a digit (0-9)
  --require-symbol           ... any other character (the library's optional rules)
  --old-password-env VAR     read the old password from environment variable VAR
  --old-password-file FILE   read the old password from FILE
  --new-password-env VAR     read the new password from environment variable VAR
  --new-password-file FILE   read the new password from FILE
${DB_OPTIONS}
  -h, --help                 this help

${PASSWORDS}

${SERVER} On a server the rotation always re-reads the table after its pass
(a server cannot tell other programs' commits).

Example:
  OLD_PW=... NEW_PW=... vaultstore-admin rotate app.db --table vault \\
      --old-password-env OLD_PW --new-password-env NEW_PW
`;

const VERIFY = `Usage: vaultstore-admin verify <vault.db | connection string> [options]

Counts the records of a vault table that open with a password. Run it after a
rotation with the new password. Opens the file read-only.

Options:
  --table NAME           the vault table (needed when the file has several)
  --crypto SPEC          Argon2id parameters: default, lightweight, high, tiny or
                         t=3,m=65536,p=4[,k=32,salt=16] (default: default)
  --sample N             check N records spread over the table instead of all
  --skip-soft-deleted    do not check soft-deleted records
  --workers N            parallel workers (default: number of CPU cores)
  --json                 progress as JSON lines, then a JSON summary
  --kdf NAME             native, wasm or auto (default auto)
  --driver NAME          ${DRIVER_CHOICES} (default auto)
  --password-env VAR     read the password from environment variable VAR
  --password-file FILE   read the password from FILE
${DB_OPTIONS}
  -h, --help             this help

${PASSWORDS}

${SERVER}
`;

export function helpText(topic: CommandName | null): string {
  switch (topic) {
    case 'info':
      return INFO;
    case 'rotate':
      return ROTATE;
    case 'verify':
      return VERIFY;
    case null:
      return GLOBAL;
  }
}
