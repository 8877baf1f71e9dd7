import { describe, expect, it } from 'vitest';
import {
  deriveV1Key,
  openV1WithKey,
  openValue,
  type OpenResult,
} from '../../../src/engine/codec/index.js';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { expectedPlaintext, passwordBytes, vectors } from '../../support/vectors.js';
import { craftV1Value } from './go-rules.js';

describe('v1 vectors', () => {
  it.each(vectors.v1.map((v) => [v.id, v] as const))('%s: key and plaintext', (_id, vector) => {
    const key = deriveV1Key(passwordBytes(vector));
    expect(key.toString('latin1')).toBe(vector.v1_key);
    expect(openV1WithKey(vector.ciphertext, key)).toEqual({
      ok: true,
      version: 'v1',
      plaintext: expectedPlaintext(vector),
    });
  });
});

describe('crafted v1 blocks (what the Go encoder never writes)', () => {
  const vector = vectors.v1.find((v) => v.id === 'v1/ascii')!;
  const key = Buffer.from(vector.v1_key, 'latin1');
  const open = (block: string): OpenResult => openV1WithKey(craftV1Value(block, key), key);
  const opened = (text: string) => ({
    ok: true,
    version: 'v1',
    plaintext: Buffer.from(text, 'latin1'),
  });
  const failed = { ok: false, version: 'v1', reason: 'wrong-password' };

  it.each([
    ['a "+" sign (Go Atoi accepts it)', '+8_aGVsbG8=', 'hello'],
    ['leading zeros', '008_aGVsbG8=', 'hello'],
    ['"-0"', '-0_aGVsbG8=', ''],
    ['a shorter length (silent truncation, no integrity)', '4_aGVsbG8=', 'hel'],
    [
      '"_" inside the data, rejoined',
      '8_aGVs_bG8',
      Buffer.from('aGVs_bG8', 'base64url').toString('latin1'),
    ],
  ])('opens a block with %s', (_name, block, text) => {
    expect(open(block)).toEqual(opened(text));
  });

  it.each([
    ['a negative length (the reference panics)', '-1_aGVsbG8='],
    ['a length past the end (the reference panics)', '999_aGVsbG8='],
    ['the largest int64 length', '9223372036854775807_aGVsbG8='],
    ['a length beyond int64', '9223372036854775808_aGVsbG8='],
    ['a non-numeric length', 'abc_aGVsbG8='],
    ['an empty length', '_aGVsbG8='],
    ['a space before the length', ' 8_aGVsbG8='],
    ['no separator', '8aGVsbG8='],
    ['a length that cuts the base64', '3_aGVsbG8='],
    ['unpadded data', '6_aGVsbG8'],
  ])('gives wrong-password for %s, never a throw', (_name, block) => {
    expect(open(block)).toMatchObject(failed);
  });

  it('gives wrong-password when the XOR layer is not standard base64', () => {
    const vectorValue = vectors.v1.find((v) => v.id === 'v1/ascii')!.ciphertext;
    expect(openV1WithKey(vectorValue, deriveV1Key(Buffer.from('another password')))).toMatchObject(
      failed,
    );
  });

  it('gives malformed when the value itself is not Go base64url or has a length no key can open', () => {
    for (const value of [
      '',
      'hello world',
      'v1:abc=',
      'QUI=',
      'QUJDREVG',
      vector.ciphertext.replace(/=+$/, ''),
    ]) {
      expect(openV1WithKey(value, key)).toMatchObject({
        ok: false,
        version: 'v1',
        reason: 'malformed',
      });
    }
  });
});

describe('openValue on v1 values', () => {
  it('derives the v1 key once per password and keeps no password text in the cache', async () => {
    const kdf = await loadArgon2idBackend('native');
    const cache = new Map<string, Buffer>();
    const sameKey = vectors.v1.filter((v) => v.password_hex === vectors.v1[0]!.password_hex);
    expect(sameKey.length).toBeGreaterThan(1);
    for (const vector of sameKey) {
      const result = await openValue(
        vector.ciphertext,
        passwordBytes(vector),
        ARGON2_PRESETS.tiny,
        kdf,
        cache,
      );
      expect(result).toEqual({ ok: true, version: 'v1', plaintext: expectedPlaintext(vector) });
    }
    expect(cache.size).toBe(1);
    const [[id, key]] = [...cache.entries()] as [[string, Buffer]];
    expect(key.toString('latin1')).toBe(sameKey[0]!.v1_key);
    expect(id).not.toContain(sameKey[0]!.password);
    expect(id).not.toContain(sameKey[0]!.password_hex);

    const other = vectors.v1.find((v) => v.password_hex !== sameKey[0]!.password_hex)!;
    await openValue(other.ciphertext, passwordBytes(other), ARGON2_PRESETS.tiny, kdf, cache);
    expect(cache.size).toBe(2);
  });
});
