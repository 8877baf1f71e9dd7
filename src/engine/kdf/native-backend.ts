/**
 * Argon2id on @node-rs/argon2 (Rust, N-API). Uses hashRawSync: callers run in
 * worker_threads, where blocking the thread is the point, and the async
 * variant only adds a hop through libuv's small shared thread pool.
 */
import { createRequire } from 'node:module';
import type * as NativeArgon2Module from '@node-rs/argon2';
import type { Algorithm, Version } from '@node-rs/argon2';
import { keyLengthOf, type Argon2Config } from '../../core/argon2.js';
import { EngineError } from '../errors.js';
import { assertArgon2Config } from './config-check.js';
import { kdfFailure } from './kdf-failure.js';
import type { Argon2idBackend } from './types.js';

type NativeArgon2 = typeof NativeArgon2Module;

// Literal values of the package's const enums (isolatedModules cannot read ambient const enums).
const ARGON2ID: Algorithm = 2;
const VERSION_0X13: Version = 1;

let loaded: NativeArgon2 | undefined;

function loadNativeModule(): NativeArgon2 {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('@node-rs/argon2') as NativeArgon2;
    return loaded;
  } catch (error) {
    throw new EngineError(
      'NATIVE_UNAVAILABLE',
      'The native Argon2id module (@node-rs/argon2) cannot be loaded on this system. ' +
        'Use the WebAssembly backend instead (slower, same results), or reinstall the app.',
      { cause: error },
    );
  }
}

/** Throws EngineError('NATIVE_UNAVAILABLE') when the native module cannot load. */
export function createNativeArgon2idBackend(): Argon2idBackend {
  const native = loadNativeModule();
  return {
    name: 'native',
    deriveKey(password: Uint8Array, salt: Uint8Array, config: Argon2Config): Promise<Uint8Array> {
      try {
        assertArgon2Config(config);
        return Promise.resolve(
          native.hashRawSync(password, {
            algorithm: ARGON2ID,
            version: VERSION_0X13,
            timeCost: config.iterations,
            memoryCost: config.memoryKiB,
            parallelism: config.parallelism,
            outputLen: keyLengthOf(config),
            salt,
          }),
        );
      } catch (error) {
        return Promise.reject(kdfFailure('native', error));
      }
    },
  };
}
