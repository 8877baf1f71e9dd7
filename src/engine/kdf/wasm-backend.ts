/**
 * Argon2id on hash-wasm (pure WebAssembly): slower than native, loads everywhere.
 * Limitation: hash-wasm refuses an empty password (Argon2 itself allows it),
 * so this backend reports PASSWORD_EMPTY where the native one derives a key.
 */
import { argon2id } from 'hash-wasm';
import { keyLengthOf, type Argon2Config } from '../../core/argon2.js';
import { EngineError } from '../errors.js';
import { assertArgon2Config } from './config-check.js';
import { kdfFailure } from './kdf-failure.js';
import type { Argon2idBackend } from './types.js';

export function createWasmArgon2idBackend(): Argon2idBackend {
  return {
    name: 'wasm',
    async deriveKey(
      password: Uint8Array,
      salt: Uint8Array,
      config: Argon2Config,
    ): Promise<Uint8Array> {
      try {
        assertArgon2Config(config);
        if (password.length === 0) {
          throw new EngineError(
            'PASSWORD_EMPTY',
            'The WebAssembly Argon2id backend cannot derive a key from an empty password. ' +
              'Use the native backend for vaults with an empty password.',
          );
        }
        return await argon2id({
          password,
          salt,
          iterations: config.iterations,
          memorySize: config.memoryKiB,
          parallelism: config.parallelism,
          hashLength: keyLengthOf(config),
          outputType: 'binary',
        });
      } catch (error) {
        throw kdfFailure('wasm', error);
      }
    },
  };
}
