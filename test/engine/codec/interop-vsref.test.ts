/**
 * Checks against vsref, the independent Go implementation: what we encode
 * opens there, what it encodes opens here, and both sides agree on which
 * mangled values are malformed, wrong-password or fine. Skipped (with the
 * reason printed) when vsref is absent.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, type Argon2Config } from '../../../src/core/argon2.js';
import { encodeV2Value, openValue, type OpenResult } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend, type Argon2idBackend } from '../../../src/engine/kdf/index.js';
import { runVsref, vsrefPath, vsrefSkipReason } from '../../support/vsref.js';
import { FIXTURE_PASSWORD_A, FIXTURE_PASSWORD_B } from '../../support/passwords.js';

if (!vsrefPath) console.warn(`[skip] interop-vsref: ${vsrefSkipReason}`);

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** vsref's -config syntax for a config. */
function vsrefConfig(config: Argon2Config): string {
  return `t=${config.iterations},m=${config.memoryKiB},p=${config.parallelism}`;
}

type VsrefOutcome = { ok: true; plaintextHex: string } | { ok: false; errorClass: string };

async function vsrefDecode(
  value: string,
  password: string,
  config: Argon2Config,
): Promise<VsrefOutcome> {
  const out = await runVsref([
    'decode',
    '-hex',
    '-config',
    vsrefConfig(config),
    '-password',
    password,
    value,
  ]);
  if (out.code === 0) return { ok: true, plaintextHex: out.stdout.trim() };
  const errorClass = /\[(\w+)\]/.exec(out.stderr)?.[1];
  if (!errorClass) throw new Error(`vsref decode failed without an error class: ${out.stderr}`);
  return { ok: false, errorClass };
}

async function vsrefEncode(
  plaintext: string,
  password: string,
  config: Argon2Config,
  v1 = false,
): Promise<string> {
  const args = [
    'encode',
    ...(v1 ? ['-v1'] : []),
    '-config',
    vsrefConfig(config),
    '-password',
    password,
    plaintext,
  ];
  const out = await runVsref(args);
  if (out.code !== 0) throw new Error(`vsref encode failed: ${out.stderr}`);
  return out.stdout.trim();
}

/** Our result in vsref's terms: malformed <-> a format error class, wrong-password <-> everything else. */
function sameOutcome(ours: OpenResult, theirs: VsrefOutcome): void {
  if (theirs.ok) {
    expect(ours).toMatchObject({ ok: true });
    if (ours.ok) expect(ours.plaintext.toString('hex')).toBe(theirs.plaintextHex);
    return;
  }
  expect(ours.ok).toBe(false);
  if (ours.ok) return;
  const formatErrors = ['bad_base64', 'invalid_length', 'v1_xor_base64'];
  if (formatErrors.includes(theirs.errorClass)) expect(ours.reason).toBe('malformed');
  else if (theirs.errorClass !== 'v1_not_base64') expect(ours.reason).toBe('wrong-password');
}

const tiny = ARGON2_PRESETS.tiny;
const custom: Argon2Config = { iterations: 2, memoryKiB: 1000, parallelism: 3 };

describe.skipIf(!vsrefPath)('interop with vsref', () => {
  let native: Argon2idBackend;
  let wasm: Argon2idBackend;
  beforeAll(async () => {
    native = await loadArgon2idBackend('native');
    wasm = await loadArgon2idBackend('wasm');
  });

  const samples: [string, Buffer][] = [
    [FIXTURE_PASSWORD_A, utf8('hello, world')],
    ['pässwörd ünïcödé 🔑', utf8('naïve café ☕ 𝄞')],
    ['  spaces around  ', Buffer.alloc(0)],
    ['short', Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80])],
    ['', utf8('empty password')],
    [FIXTURE_PASSWORD_A, Buffer.alloc(64 * 1024, 'big ')],
  ];

  it.each(samples)('our tiny value for password %j opens in vsref', async (password, plaintext) => {
    const value = await encodeV2Value(plaintext, utf8(password), tiny, native);
    expect(await vsrefDecode(value, password, tiny)).toEqual({
      ok: true,
      plaintextHex: plaintext.toString('hex'),
    });
  });

  it('our default-preset and custom-config values open in vsref (both backends)', async () => {
    for (const [config, kdf] of [
      [ARGON2_PRESETS.default, native],
      [custom, native],
      [custom, wasm],
    ] as const) {
      const value = await encodeV2Value(
        utf8('interop secret'),
        utf8(FIXTURE_PASSWORD_A),
        config,
        kdf,
      );
      expect(await vsrefDecode(value, FIXTURE_PASSWORD_A, config)).toEqual({
        ok: true,
        plaintextHex: utf8('interop secret').toString('hex'),
      });
    }
  });

  it('vsref v2 values open here with both backends (tiny, default, custom)', async () => {
    const cases: [Argon2Config, string, string][] = [
      [tiny, FIXTURE_PASSWORD_A, 'from Go'],
      [tiny, 'pässwörd ünïcödé 🔑', 'naïve café ☕'],
      [tiny, FIXTURE_PASSWORD_A, ''],
      [ARGON2_PRESETS.default, FIXTURE_PASSWORD_A, 'default preset from Go'],
      [custom, FIXTURE_PASSWORD_A, 'custom config from Go'],
    ];
    for (const [config, password, plaintext] of cases) {
      const value = await vsrefEncode(plaintext, password, config);
      for (const kdf of config === ARGON2_PRESETS.default ? [native] : [native, wasm]) {
        expect(await openValue(value, utf8(password), config, kdf)).toEqual({
          ok: true,
          version: 'v2',
          plaintext: utf8(plaintext),
        });
      }
      expect(await openValue(value, utf8(password + 'x'), config, native)).toMatchObject({
        ok: false,
        reason: 'wrong-password',
      });
    }
  });

  it('vsref v1 values give the same outcome here as in vsref', async () => {
    const cache = new Map<string, Buffer>();
    const plaintexts = ['legacy', '', 'ünïcödé legacy value', 'x'.repeat(3000), '_-_-?/+=='];
    for (const plaintext of plaintexts) {
      const value = await vsrefEncode(plaintext, FIXTURE_PASSWORD_A, tiny, true);
      const ours = await openValue(value, utf8(FIXTURE_PASSWORD_A), tiny, native, cache);
      sameOutcome(ours, await vsrefDecode(value, FIXTURE_PASSWORD_A, tiny));
      sameOutcome(
        await openValue(value, utf8(FIXTURE_PASSWORD_B), tiny, native, cache),
        await vsrefDecode(value, FIXTURE_PASSWORD_B, tiny),
      );
    }
  });

  it('mangled values: both sides agree on malformed / wrong password / opens', async () => {
    const password = FIXTURE_PASSWORD_A;
    const v2 = await encodeV2Value(utf8('mangle me, please'), utf8(password), tiny, native);
    const v1 = await vsrefEncode('mangle me too', password, tiny, true);
    const alphabet = 'AQgw-_09=\r\n+/ !'.split('');
    const edit = fc
      .tuple(fc.nat(), fc.nat({ max: 3 }), fc.array(fc.constantFrom(...alphabet), { maxLength: 3 }))
      .map(([at, remove, insert]) => (value: string) => {
        const i = at % (value.length + 1);
        return value.slice(0, i) + insert.join('') + value.slice(i + remove);
      });
    const mangled = fc.sample(
      fc.tuple(fc.constantFrom(v2, v1), fc.array(edit, { minLength: 1, maxLength: 2 })),
      { numRuns: 100, seed: 20240601 },
    );
    const values = mangled.map(([value, edits]) => edits.reduce((v, apply) => apply(v), value));
    for (const value of [
      ...values,
      v2.replace(/=+$/, ''),
      v2.replaceAll('-', '+').replaceAll('_', '/'),
      'v2:',
      '',
    ]) {
      const ours = await openValue(value, utf8(password), tiny, native, new Map());
      sameOutcome(ours, await vsrefDecode(value, password, tiny));
    }
  });
});
