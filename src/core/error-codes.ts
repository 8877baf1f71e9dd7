/**
 * Every stable error code a person or program can see (CLI exit codes, IPC,
 * tests): the engine's, and the few only the app's shell raises. Node-free.
 */
export type EngineErrorCode =
  // input given by the user
  | 'USAGE'
  | 'PASSWORD_EMPTY'
  | 'PASSWORD_SAME'
  | 'PASSWORD_POLICY'
  | 'ARGON2_CONFIG'
  /** no sampled v2 record opens with the old password and these Argon2id settings */
  | 'WRONG_ARGON2_CONFIG'
  /** no sampled record opens with the old password: refused before a scan that would open nothing */
  | 'NOTHING_OPENED'
  /** no sampled record opens with the old password and some open with the new one */
  | 'ALREADY_ROTATED'
  // the vault file
  | 'FILE_NOT_FOUND'
  | 'NOT_SQLITE'
  | 'CORRUPT'
  | 'NO_VAULT_TABLE'
  | 'TABLE_NOT_FOUND'
  | 'MISSING_COLUMNS'
  | 'READ_ONLY'
  | 'LOCKED'
  | 'DISK_FULL'
  | 'FILE_CHANGED'
  | 'IO'
  | 'UNSUPPORTED_IDS'
  | 'TRIGGERS'
  // a database server (PostgreSQL, MySQL/MariaDB)
  /** no server answers at that host and port (or TLS could not be set up) */
  | 'SERVER_UNREACHABLE'
  /** the server's host name does not resolve (ENOTFOUND / EAI_AGAIN) */
  | 'HOST_NOT_FOUND'
  /** the server refused the user name or password */
  | 'SERVER_AUTH'
  /** the database named in the connection string does not exist */
  | 'DATABASE_NOT_FOUND'
  /** the user may not read or update the vault table (e.g. SELECT only) */
  | 'SERVER_PERMISSION'
  /** the connection broke mid-job (server restarted, connection killed): committed batches stay */
  | 'CONNECTION_LOST'
  // the distributed rotation's queue (Redis)
  /** Redis did not answer at the queue URL within a few seconds (or TLS could not be set up) */
  | 'QUEUE_UNREACHABLE'
  /** Redis refused the queue password (or wants one and none was given) */
  | 'QUEUE_AUTH'
  // the rotation job
  | 'CHECKPOINT'
  | 'UNFINISHED_ROTATION'
  /** another rotation of the vault holds its lock (pid, host, tool, since when: in the message) */
  | 'ROTATION_IN_PROGRESS'
  /** the vault's rotation lock file is damaged, a link or not a file: check and delete it */
  | 'ROTATION_LOCK'
  // a distributed rotation (several machines; src/engine/distributed)
  /** a worker's old or new password does not open the rotation's canaries: refused before claiming work */
  | 'PASSWORDS_REFUSED'
  /** a SQLite file is rotated on one machine only */
  | 'DISTRIBUTED_SQLITE'
  /** the login may not create the ledger tables (vsa_*) in the vault's database or the schema named */
  | 'LEDGER_PERMISSION'
  /** a distributed rotation of the table is active (ledger row): a single-machine one is refused, and vice versa */
  | 'DISTRIBUTED_ACTIVE'
  | 'NATIVE_UNAVAILABLE'
  | 'WORKER_FAILED'
  | 'INTERNAL';

/** The request crossing the IPC boundary was refused by validation (field named, value never echoed). */
export const INVALID_ARGUMENT = 'INVALID_ARGUMENT';
/** The app already runs a job on that vault (or any job, where only one may run). */
export const BUSY = 'BUSY';
/** The renderer named a vault the person never chose in a dialog or by dropping it. */
export const VAULT_NOT_CHOSEN = 'VAULT_NOT_CHOSEN';
/** Something unexpected: a bug. Shared with the engine's INTERNAL. */
export const INTERNAL = 'INTERNAL';

export type ShellErrorCode =
  typeof INVALID_ARGUMENT | typeof BUSY | typeof VAULT_NOT_CHOSEN | typeof INTERNAL;

/** Every code an IpcError may carry. */
export type ErrorCode = EngineErrorCode | ShellErrorCode;

/**
 * The errors a fresh rotation's own check (its pre-flight) ends the job with, after its
 * result was reported: nothing was written, and the result says why.
 */
export const CHECK_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'NOTHING_OPENED',
  'ALREADY_ROTATED',
  'WRONG_ARGON2_CONFIG',
]);
