/**
 * Every negative vector of the reference, through openValue. `expect` is what
 * the Go library does; we must agree on ok/error and classify errors:
 * - malformed: no password can open the value (bad base64, too short, or a
 *   v1 payload whose length the XOR layer can never turn into base64);
 * - wrong-password: everything that depends on the key (GCM failure, and
 *   every v1 failure after the XOR, including the reference's panics).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS, type Argon2PresetName } from '../../../src/core/argon2.js';
import { isV2Value, openValue, type OpenFailureReason } from '../../../src/engine/codec/index.js';
import { loadArgon2idBackend, type Argon2idBackend } from '../../../src/engine/kdf/index.js';
import {
  expectedPlaintext,
  vectorConfig,
  vectors,
  type NegativeVector,
} from '../../support/vectors.js';
import { goBase64UrlOracle } from './go-rules.js';

function expectedReason(vector: NegativeVector): OpenFailureReason {
  if (vector.error_class === undefined) throw new Error(`${vector.id} has no error_class`);
  switch (vector.error_class) {
    case 'bad_base64':
    case 'invalid_length':
    case 'v1_xor_base64':
      return 'malformed';
    case 'v1_not_base64': {
      const outer = goBase64UrlOracle(vector.ciphertext);
      return outer !== null && outer.length > 0 && outer.length % 4 === 0
        ? 'wrong-password'
        : 'malformed';
    }
    case 'auth_failed':
    case 'panic':
    case 'v1_atoi':
    case 'v1_base64_1':
    case 'v1_base64_2':
    case 'v1_no_separator':
      return 'wrong-password';
  }
}

let kdf: Argon2idBackend;
beforeAll(async () => {
  // Native for all: the default/high-config vectors cost a real derivation each.
  kdf = await loadArgon2idBackend('native');
});

describe('negative vectors', () => {
  it.each(vectors.negative.map((v) => [v.id, v] as const))('%s', async (_id, vector) => {
    const preset: Argon2PresetName = vector.config ?? 'tiny';
    expect(vectorConfig(preset)).toEqual(ARGON2_PRESETS[preset]);
    const password = Buffer.from(vector.password, 'utf8');
    const result = await openValue(
      vector.ciphertext,
      password,
      vectorConfig(preset),
      kdf,
      new Map(),
    );
    const version = isV2Value(vector.ciphertext) ? 'v2' : 'v1';
    if (vector.expect === 'ok') {
      expect(result).toEqual({
        ok: true,
        version,
        plaintext: expectedPlaintext(vector),
      });
    } else {
      expect(result).toMatchObject({ ok: false, version, reason: expectedReason(vector) });
    }
  });
});
