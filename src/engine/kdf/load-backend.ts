/** Chooses and loads an Argon2id backend: native when it works here, WebAssembly otherwise. */
import { EngineError } from '../errors.js';
import { createNativeArgon2idBackend } from './native-backend.js';
import type { Argon2BackendName, Argon2BackendPreference, Argon2idBackend } from './types.js';
import { createWasmArgon2idBackend } from './wasm-backend.js';

/**
 * Known answer (vector tiny/ascii of the VaultStore reference): a backend
 * that loads but computes something else must never be used, since its keys
 * would open nothing and encrypt values the Go library cannot read.
 */
const KNOWN_ANSWER = {
  password: Buffer.from('pwA-0123456789abcdef', 'utf8'),
  salt: Buffer.from('6f91c7e627029999dcfee9c30e743e29', 'hex'),
  config: { iterations: 1, memoryKiB: 64, parallelism: 1 },
  key: Buffer.from('1ec830f844bfc6fd8bf90d04d03650e3959ff119a94d09e85fcaef6dd14b4529', 'hex'),
} as const;

async function checkedBackend(name: Argon2BackendName): Promise<Argon2idBackend> {
  const backend = name === 'native' ? createNativeArgon2idBackend() : createWasmArgon2idBackend();
  const key = await backend.deriveKey(
    KNOWN_ANSWER.password,
    KNOWN_ANSWER.salt,
    KNOWN_ANSWER.config,
  );
  if (!KNOWN_ANSWER.key.equals(key)) {
    throw new EngineError(
      name === 'native' ? 'NATIVE_UNAVAILABLE' : 'INTERNAL',
      `The ${name} Argon2id backend gives wrong results on this system. ` +
        (name === 'native' ? 'Use the WebAssembly backend instead.' : 'Reinstall the app.'),
    );
  }
  return backend;
}

async function loadBackend(preference: Argon2BackendPreference): Promise<Argon2idBackend> {
  if (preference !== 'auto') return checkedBackend(preference);
  try {
    return await checkedBackend('native');
  } catch {
    return checkedBackend('wasm');
  }
}

const cache = new Map<Argon2BackendPreference, Promise<Argon2idBackend>>();

/**
 * 'auto' (default): native (@node-rs/argon2) when it loads and passes a
 * known-answer check, else wasm (hash-wasm). 'native' throws
 * EngineError('NATIVE_UNAVAILABLE') when it cannot. Loaded once per preference.
 */
export function loadArgon2idBackend(
  preference: Argon2BackendPreference = 'auto',
): Promise<Argon2idBackend> {
  let pending = cache.get(preference);
  if (!pending) {
    pending = loadBackend(preference);
    // A failed load is not cached, so a later call can try again.
    const loading = pending;
    loading.catch(() => {
      if (cache.get(preference) === loading) cache.delete(preference);
    });
    cache.set(preference, pending);
  }
  return pending;
}
