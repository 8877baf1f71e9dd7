import { describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import {
  encodeBase64Url,
  encodeV2Value,
  isV2Value,
  openValue,
  openV2WithKey,
  parseV2Value,
  sealV2,
  type ParsedV2,
} from '../../../src/engine/codec/index.js';
import { isEngineError } from '../../../src/engine/errors.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import {
  expectedPlaintext,
  isFastPreset,
  passwordBytes,
  vectorConfig,
  vectors,
} from '../../support/vectors.js';

function parsedOrFail(value: string): ParsedV2 {
  const parsed = parseV2Value(value);
  if (!parsed.ok) throw new Error(`expected a well-formed v2 value: ${parsed.detail}`);
  return parsed;
}

describe('v2 vectors (keys from the vector file)', () => {
  it.each(vectors.v2.map((v) => [v.id, v] as const))(
    '%s opens and re-seals byte for byte',
    (_id, vector) => {
      const key = Buffer.from(vector.key_hex, 'hex');
      const salt = Buffer.from(vector.salt_hex, 'hex');
      const nonce = Buffer.from(vector.nonce_hex, 'hex');
      const plaintext = expectedPlaintext(vector);

      const parsed = parsedOrFail(vector.ciphertext);
      expect(parsed.salt).toEqual(salt);
      expect(parsed.nonce).toEqual(nonce);
      expect(openV2WithKey(parsed, key)).toEqual({ ok: true, version: 'v2', plaintext });
      expect(sealV2(plaintext, key, salt, nonce)).toBe(vector.ciphertext);
    },
  );
});

describe('v2 vectors through openValue (real Argon2id, tiny and lightweight presets)', () => {
  const fast = vectors.v2.filter((v) => isFastPreset(v.config));
  it.each(['native', 'wasm'] as const)('%s backend opens every one', async (name) => {
    const kdf = await loadArgon2idBackend(name);
    for (const vector of fast) {
      // hash-wasm refuses empty passwords (see wasm-backend.ts)
      if (name === 'wasm' && vector.password_hex === '') continue;
      const result = await openValue(
        vector.ciphertext,
        passwordBytes(vector),
        vectorConfig(vector.config),
        kdf,
      );
      expect(result, vector.id).toEqual({
        ok: true,
        version: 'v2',
        plaintext: expectedPlaintext(vector),
      });
    }
  });
});

describe('isV2Value', () => {
  it('is exactly the case-sensitive "v2:" prefix', () => {
    expect(isV2Value('v2:')).toBe(true);
    expect(isV2Value('v2:abc')).toBe(true);
    for (const value of ['', 'v2', 'V2:abc', ' v2:abc', 'v1:abc', 'v3:abc', '\nv2:abc']) {
      expect(isV2Value(value)).toBe(false);
    }
  });
});

describe('parseV2Value', () => {
  const payload = (length: number): string => 'v2:' + encodeBase64Url(Buffer.alloc(length, 7));

  it('splits salt, nonce and sealed data (the smallest value has only a tag)', () => {
    const parsed = parsedOrFail(payload(44));
    expect([parsed.salt.length, parsed.nonce.length, parsed.sealed.length]).toEqual([16, 12, 16]);
  });

  it.each([
    ['nothing after the prefix', 'v2:'],
    ['43-byte payload', payload(43)],
    ['invalid base64', 'v2:!!!!'],
    ['unpadded base64', payload(50).replace(/=+$/, '')],
    ['standard alphabet', 'v2:' + Buffer.alloc(48, 0xfb).toString('base64')],
    ['not a v2 value', 'V2:' + payload(60).slice(3)],
  ])('reports %s as malformed', (_name, value) => {
    const parsed = parseV2Value(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.detail).toMatch(/\w/);
  });
});

describe('openV2WithKey', () => {
  const vector = vectors.v2.find((v) => v.id === 'tiny/ascii')!;
  const parsed = parsedOrFail(vector.ciphertext);
  const key = Buffer.from(vector.key_hex, 'hex');

  it('gives wrong-password for another key, a tampered value or a key of the wrong size, never a throw', () => {
    const otherKey = Buffer.from(key);
    otherKey[0]! ^= 1;
    const tampered: ParsedV2 = { ...parsed, sealed: Buffer.from(parsed.sealed).fill(0, 0, 1) };
    for (const [p, k] of [
      [parsed, otherKey],
      [tampered, key],
      [parsed, key.subarray(0, 31)],
      [parsed, Buffer.alloc(0)],
    ] as const) {
      const result = openV2WithKey(p, k);
      expect(result).toMatchObject({ ok: false, version: 'v2', reason: 'wrong-password' });
    }
  });
});

describe('sealV2', () => {
  it('refuses key, salt or nonce of the wrong size (a programming error)', () => {
    const ok = { key: Buffer.alloc(32), salt: Buffer.alloc(16), nonce: Buffer.alloc(12) };
    const bad = [
      { ...ok, key: Buffer.alloc(16) },
      { ...ok, salt: Buffer.alloc(8) },
      { ...ok, nonce: Buffer.alloc(16) },
    ];
    for (const { key, salt, nonce } of bad) {
      expect(() => sealV2(Buffer.from('x'), key, salt, nonce)).toThrow(
        expect.objectContaining({ code: 'INTERNAL' }) as Error,
      );
    }
    expect(() => sealV2(Buffer.from('x'), ok.key, ok.salt, ok.nonce)).not.toThrow();
  });
});

describe('encodeV2Value', () => {
  it('draws a fresh salt and nonce for every value', async () => {
    const kdf = await loadArgon2idBackend('native');
    const password = Buffer.from('a password of 16+ bytes');
    const plaintext = Buffer.from('same plaintext every time');
    const values = await Promise.all(
      Array.from({ length: 20 }, () =>
        encodeV2Value(plaintext, password, ARGON2_PRESETS.tiny, kdf),
      ),
    );
    const parts = values.map(parsedOrFail);
    expect(new Set(parts.map((p) => p.salt.toString('hex'))).size).toBe(values.length);
    expect(new Set(parts.map((p) => p.nonce.toString('hex'))).size).toBe(values.length);
  });

  it('rejects an invalid Argon2id configuration with ARGON2_CONFIG', async () => {
    const kdf = await loadArgon2idBackend('native');
    const error: unknown = await encodeV2Value(
      Buffer.from('x'),
      Buffer.from('pw'),
      { iterations: 0, memoryKiB: 64, parallelism: 1 },
      kdf,
    ).catch((e: unknown) => e);
    expect(isEngineError(error) && error.code).toBe('ARGON2_CONFIG');
  });
});
