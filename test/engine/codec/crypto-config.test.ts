/**
 * The library's full CryptoConfig in the codec and the KDF backends: key
 * length k (16/24/32 = AES-128/192/256) and salt size, with real Argon2id
 * (tiny preset) and, when present, the independent Go implementation (vsref).
 */
import { describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../../src/core/argon2.js';
import {
  decodeGoBase64Url,
  encodeBase64Url,
  encodeV2Value,
  openValue,
  parseV2Value,
  sealV2,
  V2_PREFIX,
} from '../../../src/engine/codec/index.js';
import { isEngineError } from '../../../src/engine/errors.js';
import {
  assertArgon2Config,
  createNativeArgon2idBackend,
  createWasmArgon2idBackend,
  loadArgon2idBackend,
} from '../../../src/engine/kdf/index.js';
import {
  describeArgon2Config,
  parseArgon2Config,
  sameArgon2Config,
} from '../../../src/engine/rotation/plan/argon2-spec.js';
import { validateArgon2Config } from '../../../src/engine/rotation/plan/validation.js';
import { runVsref, vsrefPath, vsrefSkipReason } from '../../support/vsref.js';

const tiny = ARGON2_PRESETS.tiny;
const password = Buffer.from('Password-A-0123456789', 'utf8');
const plaintext = Buffer.from('a secret of 27 bytes here!!', 'utf8');

const withSizes = (keyLength: number, saltLength: number): Argon2Config => ({
  ...tiny,
  keyLength,
  saltLength,
});

function payloadOf(value: string): Buffer {
  expect(value.startsWith(V2_PREFIX)).toBe(true);
  const payload = decodeGoBase64Url(value.slice(V2_PREFIX.length));
  if (!payload) throw new Error('not base64url');
  return payload;
}

describe('v2 round trips with every key length and several salt sizes (real Argon2id)', () => {
  const cases = [16, 24, 32].flatMap((k) => [8, 16, 24, 64].map((salt) => [k, salt] as const));

  it.each(cases)('k=%i, salt=%i: encodes, lays out salt||nonce||ct||tag, opens', async (k, s) => {
    const kdf = await loadArgon2idBackend('native');
    const config = withSizes(k, s);
    const value = await encodeV2Value(plaintext, password, config, kdf);
    expect(payloadOf(value)).toHaveLength(s + 12 + plaintext.length + 16);
    const parsed = parseV2Value(value, config);
    expect(parsed.ok && parsed.salt.length).toBe(s);
    expect(await openValue(value, password, config, kdf)).toEqual({
      ok: true,
      version: 'v2',
      plaintext,
    });
  });

  it('a value opens only with its own key length and salt size', async () => {
    const kdf = await loadArgon2idBackend('native');
    const value = await encodeV2Value(plaintext, password, withSizes(16, 24), kdf);
    for (const other of [withSizes(24, 24), withSizes(32, 24), withSizes(16, 16), tiny]) {
      const result = await openValue(value, password, other, kdf);
      expect(result, describeArgon2Config(other)).toMatchObject({
        ok: false,
        version: 'v2',
        reason: 'wrong-password',
      });
    }
  });

  it('a salt size larger than the value is malformed for that config, without a derivation', () => {
    // 44 bytes: fits salt 16 + nonce 12 + tag 16, not salt 24.
    const value = V2_PREFIX + encodeBase64Url(Buffer.alloc(44, 1));
    expect(parseV2Value(value).ok).toBe(true);
    const parsed = parseV2Value(value, { saltLength: 24 });
    expect(parsed).toMatchObject({ ok: false, detail: expect.stringMatching(/minimum 52/) });
  });

  it('defaults (no k, no salt) are exactly k=32, salt=16', async () => {
    const kdf = await loadArgon2idBackend('native');
    const value = await encodeV2Value(plaintext, password, tiny, kdf);
    expect(payloadOf(value)).toHaveLength(16 + 12 + plaintext.length + 16);
    expect(await openValue(value, password, withSizes(32, 16), kdf)).toMatchObject({ ok: true });
  });
});

describe('sealV2 checks sizes against the config it is given', () => {
  const nonce = Buffer.alloc(12);
  it('accepts a 16-byte key and 24-byte salt for k=16,salt=24, refuses them without', () => {
    const key = Buffer.alloc(16, 1);
    const salt = Buffer.alloc(24, 2);
    expect(() =>
      sealV2(plaintext, key, salt, nonce, { keyLength: 16, saltLength: 24 }),
    ).not.toThrow();
    expect(() => sealV2(plaintext, key, salt, nonce)).toThrow(/32-byte key/);
    expect(() =>
      sealV2(plaintext, Buffer.alloc(24), salt, nonce, { keyLength: 16, saltLength: 24 }),
    ).toThrow(/16-byte key/);
  });
});

describe('KDF backends honour the key length', () => {
  const backends = [createNativeArgon2idBackend(), createWasmArgon2idBackend()];
  const salt = Buffer.from('000102030405060708090a0b0c0d0e0f1011121314151617', 'hex');

  it.each([
    [16, 16],
    [24, 16],
    [16, 24],
    [24, 8],
    [32, 64],
  ])('native and wasm give the same %i-byte key (salt %i bytes)', async (k, s) => {
    const config = withSizes(k, s);
    const saltOfSize = Buffer.alloc(s, 0x5a);
    const [nativeKey, wasmKey] = await Promise.all(
      backends.map((backend) => backend.deriveKey(password, saltOfSize, config)),
    );
    expect(nativeKey).toHaveLength(k);
    expect(Buffer.from(wasmKey!)).toEqual(Buffer.from(nativeKey!));
  });

  it('a shorter key is not a prefix of the longer one (Argon2 hashes the length in)', async () => {
    const native = backends[0]!;
    const [k16, k32] = await Promise.all(
      [16, 32].map((k) => native.deriveKey(password, salt, { ...tiny, keyLength: k })),
    );
    expect(Buffer.from(k16!)).not.toEqual(Buffer.from(k32!).subarray(0, 16));
  });

  it.each(backends.map((b) => [b.name, b] as const))(
    '%s refuses k=20 with ARGON2_CONFIG',
    async (_name, backend) => {
      const error: unknown = await backend
        .deriveKey(password, salt.subarray(0, 16), { ...tiny, keyLength: 20 })
        .catch((e: unknown) => e);
      expect(isEngineError(error) && error.code).toBe('ARGON2_CONFIG');
    },
  );
});

describe('config validation of k and salt', () => {
  it.each([
    [{ keyLength: 20 }, /key length \(k\) must be 16, 24 or 32 bytes.*got 20/],
    [{ keyLength: 64 }, /AES-128, AES-192 or AES-256/],
    [{ keyLength: 0 }, /got 0/],
    [{ saltLength: 7 }, /from 8 to 1024, got 7\. Argon2id needs at least 8 salt bytes/],
    [{ saltLength: 0 }, /got 0/],
    [{ saltLength: 1025 }, /from 8 to 1024, got 1025\. Use the SaltSize/],
    [{ saltLength: 16.5 }, /got 16.5/],
  ])('rejects %o with a clear message', (change, message) => {
    const config = { ...tiny, ...change };
    expect(() => assertArgon2Config(config)).toThrow(message);
    expect(() => validateArgon2Config(config, 'write')).toThrow(
      expect.objectContaining({
        code: 'ARGON2_CONFIG',
        message: expect.stringMatching(/^Argon2id config for the values written: /) as string,
      }) as Error,
    );
  });

  it.each([16, 24, 32])('accepts k=%i with salt 8 and 1024', (k) => {
    expect(() => validateArgon2Config({ ...tiny, keyLength: k, saltLength: 8 })).not.toThrow();
    expect(() => validateArgon2Config({ ...tiny, keyLength: k, saltLength: 1024 })).not.toThrow();
  });
});

describe('parseArgon2Config / describeArgon2Config / sameArgon2Config with k and salt', () => {
  it('parses k and salt in any order and keeps them only when given', () => {
    expect(parseArgon2Config('salt=24, k=16 ,t=1,m=64,p=1')).toEqual({
      iterations: 1,
      memoryKiB: 64,
      parallelism: 1,
      keyLength: 16,
      saltLength: 24,
    });
    expect(parseArgon2Config('t=1,m=64,p=1')).toEqual(tiny);
    expect(parseArgon2Config('T=1,M=64,P=1,K=24')).toEqual({ ...tiny, keyLength: 24 });
  });

  it.each(['t=1,m=64,p=1,k=16,k=24', 't=1,m=64,p=1,key=16', 't=1,m=64,p=1,salt=', 'k=16,salt=16'])(
    'rejects %j',
    (spec) => {
      expect(() => parseArgon2Config(spec)).toThrow(
        expect.objectContaining({ code: 'ARGON2_CONFIG' }) as Error,
      );
    },
  );

  it('omitted k/salt equal the defaults; other values differ and are described', () => {
    expect(sameArgon2Config(tiny, withSizes(32, 16))).toBe(true);
    expect(sameArgon2Config(tiny, withSizes(16, 16))).toBe(false);
    expect(sameArgon2Config(tiny, withSizes(32, 24))).toBe(false);
    expect(describeArgon2Config(withSizes(32, 16))).toBe('t=1, m=64 KiB, p=1 (tiny)');
    expect(describeArgon2Config(withSizes(24, 32))).toBe(
      't=1, m=64 KiB, p=1, k=24 bytes, salt=32 bytes',
    );
    // A checkpoint written before k/salt existed still matches a default run.
    const fromOldCheckpoint = JSON.parse(JSON.stringify(ARGON2_PRESETS.default)) as Argon2Config;
    expect(sameArgon2Config(fromOldCheckpoint, { ...ARGON2_PRESETS.default, keyLength: 32 })).toBe(
      true,
    );
  });
});

if (!vsrefPath) console.warn(`[skip] crypto-config vsref interop: ${vsrefSkipReason}`);

describe.skipIf(!vsrefPath)('interop with vsref for k and salt', () => {
  const spec = (k: number, s: number): string => `t=1,m=64,p=1,k=${k},salt=${s}`;

  it.each([
    [16, 16],
    [24, 16],
    [16, 32],
    [32, 8],
  ])('k=%i, salt=%i: vsref values open here, ours open in vsref', async (k, s) => {
    const kdf = await loadArgon2idBackend('native');
    const config = withSizes(k, s);
    const theirs = await runVsref([
      'encode',
      '-config',
      spec(k, s),
      '-password',
      password.toString(),
      'from vsref',
    ]);
    expect(theirs.code, theirs.stderr).toBe(0);
    const opened = await openValue(theirs.stdout.trim(), password, config, kdf);
    expect(opened.ok && opened.plaintext.toString()).toBe('from vsref');

    const ours = await encodeV2Value(Buffer.from('from us'), password, config, kdf);
    const decoded = await runVsref([
      'decode',
      '-config',
      spec(k, s),
      '-password',
      password.toString(),
      ours,
    ]);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(decoded.stdout.trim()).toBe('from us');
    // And vsref with the default sizes does not open it.
    const wrong = await runVsref([
      'decode',
      '-config',
      'tiny',
      '-password',
      password.toString(),
      ours,
    ]);
    expect(wrong.code).not.toBe(0);
  });
});
