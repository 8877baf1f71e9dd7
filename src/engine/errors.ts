/**
 * Every failure the engine reports to a person carries a stable code (for
 * programs: CLI exit codes, IPC, tests) and a message that says what happened
 * and what to do about it. Messages never contain a password.
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
  // the rotation job
  | 'CHECKPOINT'
  | 'UNFINISHED_ROTATION'
  /** another rotation of the vault holds its lock (pid, host, tool, since when: in the message) */
  | 'ROTATION_IN_PROGRESS'
  /** the vault's rotation lock file is damaged, a link or not a file: check and delete it */
  | 'ROTATION_LOCK'
  | 'NATIVE_UNAVAILABLE'
  | 'WORKER_FAILED'
  | 'INTERNAL';

export class EngineError extends Error {
  readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}
