import type { ReactNode } from 'react';
import type { IpcError } from '../../../shared/ipc-contract.js';
import { ErrorIcon, WarningIcon } from './Icons.js';

/** A short title per error code; the engine's message says what to do. */
const TITLES: Record<string, string> = {
  USAGE: 'Request not accepted',
  INVALID_ARGUMENT: 'Request not accepted',
  PASSWORD_EMPTY: 'Password missing',
  PASSWORD_SAME: 'Same password',
  PASSWORD_POLICY: 'New password too short',
  ARGON2_CONFIG: 'Argon2id settings not accepted',
  WRONG_ARGON2_CONFIG: 'No v2 record opens with these settings',
  FILE_NOT_FOUND: 'Vault file not found',
  NOT_SQLITE: 'Not a SQLite database',
  CORRUPT: 'The database file is damaged',
  NO_VAULT_TABLE: 'No vault table in this file',
  TABLE_NOT_FOUND: 'Vault table not found',
  MISSING_COLUMNS: 'Not a vault table',
  READ_ONLY: 'The vault cannot be written',
  LOCKED: 'The vault is in use',
  DISK_FULL: 'The disk is full',
  FILE_CHANGED: 'The vault changed on disk',
  IO: 'Could not read or write the file',
  CHECKPOINT: 'Cannot resume this rotation',
  UNFINISHED_ROTATION: 'An interrupted rotation of this table exists',
  ROTATION_IN_PROGRESS: 'Another rotation of this vault is running',
  ROTATION_LOCK: 'The rotation lock file needs checking',
  TRIGGERS: 'The vault table has triggers',
  UNSUPPORTED_IDS: 'Records cannot be visited safely',
  NATIVE_UNAVAILABLE: 'SQLite driver unavailable',
  SERVER_UNREACHABLE: 'The database server did not answer',
  HOST_NOT_FOUND: 'Host name not found',
  SERVER_AUTH: 'The database refused the login',
  DATABASE_NOT_FOUND: 'Database not found',
  SERVER_PERMISSION: 'The database user may not do this',
  CONNECTION_LOST: 'The connection to the database was lost',
  WORKER_FAILED: 'A background worker failed',
  BUSY: 'Another job is running',
  INTERNAL: 'Something went wrong',
};

export function errorTitle(error: IpcError): string {
  return TITLES[error.code] ?? 'Something went wrong';
}

interface ErrorNoticeProps {
  error: IpcError;
  /** overrides the title derived from the code */
  title?: string;
  tone?: 'error' | 'warning';
  /** the way forward: buttons */
  actions?: ReactNode;
}

export function ErrorNotice({
  error,
  title,
  tone = 'error',
  actions,
}: ErrorNoticeProps): ReactNode {
  return (
    <div className={`notice notice-${tone}`} role="alert">
      {tone === 'error' ? (
        <ErrorIcon className="notice-icon" />
      ) : (
        <WarningIcon className="notice-icon" />
      )}
      <div className="notice-body">
        <p className="notice-title">{title ?? errorTitle(error)}</p>
        <p className="notice-text">{error.message}</p>
        {actions ? <div className="notice-actions">{actions}</div> : null}
      </div>
    </div>
  );
}
