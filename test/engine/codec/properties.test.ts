/** Property tests: round trips, and no input (random or mutated) ever makes the codec throw. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import {
  encodeV2Value,
  openValue,
  parseV2Value,
  type OpenResult,
} from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend, type Argon2idBackend } from '../../../src/engine/kdf/index.js';
import { passwordBytes, vectors } from '../../support/vectors.js';
import { goBase64UrlOracle, MIN_V2_PAYLOAD } from './go-rules.js';

const tiny = ARGON2_PRESETS.tiny;
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

let native: Argon2idBackend;
let wasm: Argon2idBackend;
beforeAll(async () => {
  native = await loadArgon2idBackend('native');
  wasm = await loadArgon2idBackend('wasm');
});

const passwordArb = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ maxLength: 40 }),
  fc.constant(''),
);
const plaintextArb = fc.oneof(
  fc.string({ unit: 'binary' }).map(utf8),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.alloc(0)),
);

describe('v2 round trip (tiny preset)', () => {
  it('opens what it encodes, for any plaintext and password, with either backend', async () => {
    await fc.assert(
      fc.asyncProperty(
        plaintextArb,
        passwordArb,
        fc.boolean(),
        async (plaintext, password, useWasm) => {
          // hash-wasm refuses empty passwords (see wasm-backend.ts); native covers them.
          const kdf = useWasm && password !== '' ? wasm : native;
          const value = await encodeV2Value(plaintext, utf8(password), tiny, kdf);
          expect(await openValue(value, utf8(password), tiny, kdf)).toEqual({
            ok: true,
            version: 'v2',
            plaintext,
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('opens a 100 KB plaintext and refuses the value under another password', async () => {
    const plaintext = Buffer.alloc(100 * 1024, 'plain text ');
    const value = await encodeV2Value(plaintext, utf8('pässwörd-0123456789'), tiny, native);
    expect(await openValue(value, utf8('pässwörd-0123456789'), tiny, native)).toEqual({
      ok: true,
      version: 'v2',
      plaintext,
    });
    expect(await openValue(value, utf8('passwörd-0123456789'), tiny, native)).toMatchObject({
      ok: false,
      reason: 'wrong-password',
    });
  });

  it('does not normalise passwords: NFC and NFD spellings are different passwords', async () => {
    const nfc = 'café-crème-password'.normalize('NFC');
    const value = await encodeV2Value(utf8('x'), utf8(nfc), tiny, native);
    expect(await openValue(value, utf8(nfc.normalize('NFD')), tiny, native)).toMatchObject({
      ok: false,
      reason: 'wrong-password',
    });
  });
});

/** Checks the invariants every result has, whatever the input. */
function expectWellFormed(result: OpenResult, value: string): void {
  expect(result.version).toBe(value.startsWith('v2:') ? 'v2' : 'v1');
  if (!result.ok) {
    expect(['wrong-password', 'malformed']).toContain(result.reason);
    expect(typeof result.detail).toBe('string');
  } else {
    expect(Buffer.isBuffer(result.plaintext)).toBe(true);
  }
}

/** What Go does with a v2 value that was not made with the test password. */
function expectedForForeignV2(value: string): 'malformed' | 'wrong-password' {
  const payload = goBase64UrlOracle(value.slice(3));
  return payload === null || payload.length < MIN_V2_PAYLOAD ? 'malformed' : 'wrong-password';
}

describe('random input never throws', () => {
  const password = utf8('random-input-password');

  it('random strings, with and without the v2 prefix', async () => {
    const base64ish = fc
      .array(fc.constantFrom(...'AZaz09-_=\r\n+/ '.split('')), { maxLength: 120 })
      .map((c) => c.join(''));
    const text = fc.oneof(fc.string({ unit: 'binary' }), base64ish);
    await fc.assert(
      fc.asyncProperty(fc.boolean(), text, async (prefixed, body) => {
        const value = (prefixed ? 'v2:' : '') + body;
        const result = await openValue(value, password, tiny, native, new Map());
        expectWellFormed(result, value);
        if (prefixed)
          expect(result).toMatchObject({ ok: false, reason: expectedForForeignV2(value) });
      }),
      { numRuns: 800 },
    );
  });

  it('random bytes read as text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        for (const value of [
          Buffer.from(bytes).toString('latin1'),
          Buffer.from(bytes).toString('utf8'),
        ]) {
          expectWellFormed(await openValue(value, password, tiny, native, new Map()), value);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('random well-formed v2 payloads fail authentication', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: MIN_V2_PAYLOAD, maxLength: 200 }),
        async (payload) => {
          const value =
            'v2:' +
            Buffer.from(payload)
              .toString('base64url')
              .padEnd(Math.ceil((payload.length * 4) / 3 / 4) * 4, '=');
          expect(await openValue(value, password, tiny, native)).toMatchObject({
            ok: false,
            reason: 'wrong-password',
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

type Mutation = (value: string) => string;

/** Mutations of a stored value, each given as a fast-check arbitrary. */
function mutationArb(length: number): fc.Arbitrary<Mutation> {
  const position = fc.nat({ max: Math.max(0, length - 1) });
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return fc.oneof(
    // flip one character to another alphabet character (changes bits of the payload)
    fc.tuple(position, fc.constantFrom(...alphabet.split(''))).map(
      ([i, c]): Mutation =>
        (v) =>
          v.slice(0, i) + c + v.slice(i + 1),
    ),
    fc.nat({ max: length }).map(
      (n): Mutation =>
        (v) =>
          v.slice(0, n),
    ),
    fc.tuple(position, fc.constantFrom('\n', '\r\n', '\r')).map(
      ([i, nl]): Mutation =>
        (v) =>
          v.slice(0, i) + nl + v.slice(i),
    ),
    fc.constant<Mutation>((v) => v.replace(/=+$/, '')),
    fc.constant<Mutation>((v) => v.replaceAll('-', '+').replaceAll('_', '/')),
    fc.tuple(position, fc.constantFrom('=', '+', '/', ' ', '!', 'é', '\0')).map(
      ([i, c]): Mutation =>
        (v) =>
          v.slice(0, i) + c + v.slice(i),
    ),
  );
}

describe('mutated values follow the Go rules and never throw', () => {
  const password = utf8('mutation-password-123');
  const plaintext = utf8('a secret worth keeping, long enough to span several base64 quanta');

  it('v2: malformed when Go cannot decode it, opens when the bytes are unchanged, else wrong-password', async () => {
    const original = await encodeV2Value(plaintext, password, tiny, native);
    const originalPayload = parseV2Value(original);
    if (!originalPayload.ok) throw new Error('encoder produced a malformed value');
    const originalBytes = goBase64UrlOracle(original.slice(3))!;
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutationArb(original.length), { minLength: 1, maxLength: 3 }),
        async (mutations) => {
          const value = mutations.reduce((v, mutate) => mutate(v), original);
          const result = await openValue(value, password, tiny, native);
          expectWellFormed(result, value);
          if (!value.startsWith('v2:')) return;
          const payload = goBase64UrlOracle(value.slice(3));
          if (payload === null || payload.length < MIN_V2_PAYLOAD) {
            expect(result).toMatchObject({ ok: false, reason: 'malformed' });
          } else if (payload.equals(originalBytes)) {
            expect(result).toEqual({ ok: true, version: 'v2', plaintext });
          } else {
            expect(result).toMatchObject({ ok: false, reason: 'wrong-password' });
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('v1: malformed when Go cannot decode it, opens when the bytes are unchanged', async () => {
    const vector = vectors.v1.find((v) => v.id === 'v1/ascii')!;
    const originalBytes = goBase64UrlOracle(vector.ciphertext)!;
    const cache = new Map<string, Buffer>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(mutationArb(vector.ciphertext.length), { minLength: 1, maxLength: 3 }),
        async (mutations) => {
          const value = mutations.reduce((v, mutate) => mutate(v), vector.ciphertext);
          const result = await openValue(value, passwordBytes(vector), tiny, native, cache);
          expectWellFormed(result, value);
          const outer = goBase64UrlOracle(value);
          if (outer === null) expect(result).toMatchObject({ ok: false, reason: 'malformed' });
          if (outer?.equals(originalBytes)) expect(result).toMatchObject({ ok: true });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
