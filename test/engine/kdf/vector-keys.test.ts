/**
 * Both Argon2id backends derive exactly the reference keys. The default and
 * high presets cost 64-128 MiB per derivation: native does all of them, wasm
 * (about 5x slower) a subset of each (all tiny and lightweight ones).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import {
  createNativeArgon2idBackend,
  createWasmArgon2idBackend,
  type Argon2idBackend,
} from '../../../src/engine/kdf/index.js';
import { passwordBytes, vectorConfig, vectors, type V2Vector } from '../../support/vectors.js';

const native = createNativeArgon2idBackend();
const wasm = createWasmArgon2idBackend();

/** Vector kinds wasm checks for the slow presets (default, high). */
const WASM_SLOW_SUBSET = ['ascii', 'unicode', 'long_password', 'whitespace_password'];

function wasmCovers(vector: V2Vector): boolean {
  // hash-wasm refuses empty passwords: checked separately below.
  if (vector.password_hex === '') return false;
  if (vector.config === 'tiny' || vector.config === 'lightweight') return true;
  return WASM_SLOW_SUBSET.some((kind) => vector.id === `${vector.config}/${kind}`);
}

async function expectVectorKey(backend: Argon2idBackend, vector: V2Vector): Promise<void> {
  const password = passwordBytes(vector);
  const salt = Buffer.from(vector.salt_hex, 'hex');
  const key = await backend.deriveKey(password, salt, vectorConfig(vector.config));
  expect(Buffer.from(key).toString('hex')).toBe(vector.key_hex);
  // inputs are left as they were
  expect(password).toEqual(passwordBytes(vector));
  expect(salt.toString('hex')).toBe(vector.salt_hex);
}

beforeAll(() => {
  for (const name of ['tiny', 'lightweight', 'default', 'high'] as const) {
    expect(vectorConfig(name)).toEqual(ARGON2_PRESETS[name]);
  }
});

describe('native backend', () => {
  it.each(vectors.v2.map((v) => [v.id, v] as const))('%s', async (_id, vector) => {
    await expectVectorKey(native, vector);
  });
});

describe('wasm backend', () => {
  it.each(vectors.v2.filter(wasmCovers).map((v) => [v.id, v] as const))(
    '%s',
    async (_id, vector) => {
      await expectVectorKey(wasm, vector);
    },
  );

  it('covers every fast-preset vector with a non-empty password, and the subset on each slow preset', () => {
    const skipped = vectors.v2.filter(
      (v) => (v.config === 'tiny' || v.config === 'lightweight') && !wasmCovers(v),
    );
    expect(skipped.every((v) => v.password_hex === '')).toBe(true);
    for (const preset of ['default', 'high']) {
      expect(vectors.v2.filter((v) => v.config === preset && wasmCovers(v))).toHaveLength(
        WASM_SLOW_SUBSET.length,
      );
    }
  });

  it('refuses an empty password with PASSWORD_EMPTY (a hash-wasm limit) where native derives the key', async () => {
    const vector = vectors.v2.find((v) => v.id === 'tiny/empty_password')!;
    expect(vector.password_hex).toBe('');
    await expectVectorKey(native, vector);
    await expect(
      wasm.deriveKey(Buffer.alloc(0), Buffer.from(vector.salt_hex, 'hex'), ARGON2_PRESETS.tiny),
    ).rejects.toMatchObject({ code: 'PASSWORD_EMPTY' });
  });
});
