/** Argon2id key derivation: one interface, a native and a WebAssembly backend. */
export { loadArgon2idBackend } from './load-backend.js';
export { createNativeArgon2idBackend } from './native-backend.js';
export { createWasmArgon2idBackend } from './wasm-backend.js';
export { assertArgon2Config } from './config-check.js';
export type { Argon2BackendName, Argon2BackendPreference, Argon2idBackend } from './types.js';
