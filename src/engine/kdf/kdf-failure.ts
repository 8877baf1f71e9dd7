import { EngineError } from '../errors.js';

/** Keeps EngineErrors; wraps anything else (never includes the password). */
export function kdfFailure(backend: string, error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new EngineError(
    'INTERNAL',
    `Argon2id key derivation (${backend}) failed: ${reason}. Check the Argon2id settings and the free memory.`,
    { cause: error },
  );
}
