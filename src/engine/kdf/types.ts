import type { Argon2BackendName } from '../../core/types.js';
import type { Argon2Config } from '../../core/argon2.js';

/** The backend names are in core (results report them); re-exported for the engine. */
export type { Argon2BackendName } from '../../core/types.js';
export type Argon2BackendPreference = 'auto' | Argon2BackendName;

/**
 * One Argon2id implementation. Both backends must produce identical keys;
 * `native` (@node-rs/argon2) is faster, `wasm` (hash-wasm) loads everywhere.
 * Must work inside worker_threads workers.
 */
export interface Argon2idBackend {
  readonly name: Argon2BackendName;
  /** Argon2id(password, salt, config) -> key of config.keyLength bytes (default 32). */
  deriveKey(password: Uint8Array, salt: Uint8Array, config: Argon2Config): Promise<Uint8Array>;
}
