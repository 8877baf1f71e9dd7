/**
 * What a rotation lock file holds (who took the lock) and how it is read:
 * parsed strictly, judged stale only on this host, printed safely.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface RotationLockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time */
  readonly startedAt: string;
  /** 'cli', 'app' or what the caller named */
  readonly tool: string;
  /** random; proves which lock file is whose */
  readonly token: string;
  /** Linux boot id: a lock from before a reboot is stale whatever its pid */
  readonly bootId?: string;
  /** the thread of `pid` that took it (0: main thread); see releaseRotationLockOfThread */
  readonly threadId?: number;
}

export function parseHolder(text: string): RotationLockHolder | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const candidate = value as Partial<Record<keyof RotationLockHolder, unknown>>;
  const { pid, host, startedAt, tool, token, bootId, threadId: thread } = candidate;
  if (
    typeof pid !== 'number' ||
    !Number.isSafeInteger(pid) ||
    pid <= 0 ||
    typeof host !== 'string' ||
    typeof startedAt !== 'string' ||
    typeof tool !== 'string' ||
    typeof token !== 'string' ||
    token === '' ||
    (bootId !== undefined && typeof bootId !== 'string') ||
    (thread !== undefined && !Number.isSafeInteger(thread))
  ) {
    return null;
  }
  return {
    pid,
    host,
    startedAt,
    tool,
    token,
    ...(bootId !== undefined && { bootId }),
    ...(typeof thread === 'number' && { threadId: thread }),
  };
}

/** Stale: taken on this host by a process that no longer runs (or before the last reboot). */
export function isStale(holder: RotationLockHolder): boolean {
  if (holder.host !== hostname()) return false; // another computer: its processes cannot be checked
  const bootId = currentBootId();
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) return true;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, under another user
    return errorCode(error) === 'ESRCH';
  }
}

export function toolName(tool: string): string {
  if (tool === 'cli') return 'the vaultstore-admin command line';
  if (tool === 'app') return 'the VaultStore Admin app';
  return `"${printable(tool)}"`;
}

/** A lock file's text is anyone's: no control characters (terminal escapes) into messages. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}

export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | null)?.code ?? String(error);
}
