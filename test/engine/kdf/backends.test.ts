import { describe, expect, it } from 'vitest';
import type { Argon2Config } from '../../../src/core/argon2.js';
import {
  createNativeArgon2idBackend,
  createWasmArgon2idBackend,
} from '../../../src/engine/kdf/index.js';

const backends = [createNativeArgon2idBackend(), createWasmArgon2idBackend()];
const password = Buffer.from('custom-config-password', 'utf8');
const salt = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

describe('custom t/m/p', () => {
  // m not a multiple of 4p exercises the RFC's rounding of the memory size.
  it.each([
    [{ iterations: 2, memoryKiB: 1000, parallelism: 3 }],
    [{ iterations: 1, memoryKiB: 8, parallelism: 1 }],
    [{ iterations: 5, memoryKiB: 257, parallelism: 2 }],
    [{ iterations: 1, memoryKiB: 2040, parallelism: 255 }],
  ] as [Argon2Config][])('both backends derive the same 32-byte key for %o', async (config) => {
    const [nativeKey, wasmKey] = await Promise.all(
      backends.map((b) => b.deriveKey(password, salt, config)),
    );
    expect(nativeKey).toHaveLength(32);
    expect(Buffer.from(wasmKey!)).toEqual(Buffer.from(nativeKey!));
  });

  it('different parameters give different keys', async () => {
    const keys = await Promise.all(
      [
        { iterations: 1, memoryKiB: 64, parallelism: 1 },
        { iterations: 2, memoryKiB: 64, parallelism: 1 },
        { iterations: 1, memoryKiB: 72, parallelism: 1 },
        { iterations: 1, memoryKiB: 64, parallelism: 2 },
      ].map((config) => backends[0]!.deriveKey(password, salt, config)),
    );
    expect(new Set(keys.map((k) => Buffer.from(k).toString('hex'))).size).toBe(keys.length);
  });
});

describe('invalid configurations', () => {
  it.each([
    ['t = 0', { iterations: 0, memoryKiB: 64, parallelism: 1 }],
    ['fractional t', { iterations: 1.5, memoryKiB: 64, parallelism: 1 }],
    ['p = 0', { iterations: 1, memoryKiB: 64, parallelism: 0 }],
    ['p above Go uint8', { iterations: 1, memoryKiB: 4096, parallelism: 256 }],
    ['m below 8p', { iterations: 1, memoryKiB: 31, parallelism: 4 }],
    ['m not a number', { iterations: 1, memoryKiB: Number.NaN, parallelism: 1 }],
    ['m beyond uint32', { iterations: 1, memoryKiB: 2 ** 32, parallelism: 1 }],
  ] as [string, Argon2Config][])('%s is ARGON2_CONFIG for both backends', async (_name, config) => {
    for (const backend of backends) {
      const error: unknown = await backend.deriveKey(password, salt, config).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'EngineError', code: 'ARGON2_CONFIG' });
      expect((error as Error).message).toMatch(/Argon2id .* must be/);
    }
  });
});
