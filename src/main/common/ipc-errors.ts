/** Turns anything thrown below main into the IpcError the renderer shows. */
import { INTERNAL, type ErrorCode } from '../../core/error-codes.js';
import { isEngineError } from '../../engine/index.js';
import type { IpcError } from '../../shared/ipc-contract.js';

const MAX_DETAIL_CHARS = 300;

export function ipcError(code: ErrorCode, message: string): IpcError {
  return { code, message };
}

/**
 * EngineErrors already carry a human message (never a secret). Anything else
 * is a bug: say so, keep a short technical detail for the bug report.
 */
export function toIpcError(error: unknown): IpcError {
  if (isEngineError(error)) return { code: error.code, message: error.message };
  if (isSerializedIpcError(error)) return { code: error.code, message: error.message };
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const short = detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail;
  return {
    code: INTERNAL,
    message: `Something went wrong inside the app (${short}). Try again; if it happens again, report it with this message.`,
  };
}

/** An IpcError that came back from a worker as plain data. */
export function isSerializedIpcError(value: unknown): value is IpcError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<IpcError>;
  return (
    typeof candidate.code === 'string' &&
    typeof candidate.message === 'string' &&
    !(value instanceof Error)
  );
}
