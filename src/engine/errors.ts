/**
 * Every failure the engine reports to a person carries a stable code (for
 * programs: CLI exit codes, IPC, tests) and a message that says what happened
 * and what to do about it. Messages never contain a password.
 */
import type { EngineErrorCode } from '../core/error-codes.js';

/** The codes live in core (the app's shell and the renderer use them too). */
export type { EngineErrorCode } from '../core/error-codes.js';

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
