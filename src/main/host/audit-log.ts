/**
 * The local audit log of rotations: one JSON line per finished rotation (when,
 * which vault and table, the counts, the result) in the app's data folder,
 * private (0600). Never a secret: entries are built from counts, the vault's
 * display path (a server's is its connection string, which never holds the
 * password) and the engine's error code and message (which never echo one).
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type {
  AuditEntry,
  IpcResult,
  RotationRequest,
  RotationResult,
} from '../../shared/ipc-contract.js';

export const AUDIT_LOG_FILE = 'rotation-audit.jsonl';
/** The app shows the newest entries; the file keeps them all. */
export const AUDIT_ENTRIES_SHOWN = 200;

function isAuditEntry(value: unknown): value is AuditEntry {
  const entry = value as Partial<AuditEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.finishedAt === 'string' &&
    typeof entry.vault === 'string' &&
    typeof entry.table === 'string' &&
    typeof entry.outcome === 'string'
  );
}

export class AuditLog {
  readonly file: string;

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, AUDIT_LOG_FILE);
  }

  /**
   * Appends one line. O_APPEND keeps lines whole; O_NOFOLLOW refuses a link
   * put at the log's name; the mode is set again in case the file was made
   * wider by hand.
   */
  append(entry: AuditEntry): void {
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const fd = openSync(
      this.file,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      if (!fstatSync(fd).isFile()) throw new Error(`${this.file} is not a regular file`);
      fchmodSync(fd, 0o600);
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } finally {
      closeSync(fd);
    }
  }

  /** Newest first; a missing file is an empty log, a damaged line is skipped. */
  entries(limit = AUDIT_ENTRIES_SHOWN): AuditEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n').reverse()) {
      if (entries.length >= limit) break;
      if (line.trim() === '') continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (isAuditEntry(parsed)) entries.push(parsed);
      } catch {
        // a line cut by a crash: the others still count
      }
    }
    return entries;
  }
}

/** The entry for a rotation that just ended (the request's passwords are not read here). */
export function auditEntry(
  request: Pick<RotationRequest, 'table' | 'dryRun' | 'resume'>,
  vault: string,
  startedAt: number,
  outcome: IpcResult<RotationResult>,
  finishedAt = Date.now(),
): AuditEntry {
  const result = outcome.ok ? outcome.value : null;
  return {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    vault,
    table: result?.table ?? request.table,
    outcome: result ? result.status : 'error',
    dryRun: request.dryRun,
    resume: request.resume,
    counts: result
      ? {
          scanned: result.scanned,
          rotated: result.rotated,
          skipped: result.skipped,
          failed: result.failed,
        }
      : null,
    backupPath: result?.backupPath ?? null,
    error: outcome.ok ? null : { code: outcome.error.code, message: outcome.error.message },
  };
}
