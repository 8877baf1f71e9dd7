/**
 * The current VaultStore value format:
 *   "v2:" + base64url_padded(salt[S] || nonce[12] || AES-GCM(plaintext) || tag[16])
 * with key = Argon2id(password, salt, config) of k bytes. S (default 16) and k
 * (16/24/32: AES-128/192/256, default 32) are the store's CryptoConfig, like
 * t/m/p not recorded in the value. See docs/vaultstore-format.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  keyLengthOf,
  NONCE_LENGTH,
  saltLengthOf,
  TAG_LENGTH,
  type Argon2Config,
} from '../../core/argon2.js';
import { EngineError } from '../errors.js';
import type { Argon2idBackend } from '../kdf/types.js';
import { decodeGoBase64Url, encodeBase64Url } from './go-base64.js';
import type { MalformedV2, OpenResult, ParsedV2 } from './types.js';

export const V2_PREFIX = 'v2:';

/** The parts of a config the value layout depends on (omitted: the library defaults 32 and 16). */
export type V2Sizes = Pick<Argon2Config, 'keyLength' | 'saltLength'>;

const GCM_BY_KEY_LENGTH: Readonly<Record<number, 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'>> = {
  16: 'aes-128-gcm',
  24: 'aes-192-gcm',
  32: 'aes-256-gcm',
};

/** Exact, case-sensitive prefix test: "V2:", " v2:" and "" are v1 to the library. */
export function isV2Value(value: string): boolean {
  return value.startsWith(V2_PREFIX);
}

/**
 * Splits a v2 value without any key derivation; failures here mean no
 * password can open it with this salt size (the library's length check).
 */
export function parseV2Value(value: string, sizes: V2Sizes = {}): ParsedV2 | MalformedV2 {
  if (!isV2Value(value)) return { ok: false, detail: 'not a v2 value (no "v2:" prefix)' };
  const payload = decodeGoBase64Url(value.slice(V2_PREFIX.length));
  if (payload === null) return { ok: false, detail: 'v2 payload is not valid padded base64url' };
  const saltLength = saltLengthOf(sizes);
  const minPayload = saltLength + NONCE_LENGTH + TAG_LENGTH;
  if (payload.length < minPayload) {
    return {
      ok: false,
      detail: `v2 payload is ${payload.length} bytes, shorter than the minimum ${minPayload} (salt ${saltLength} + nonce ${NONCE_LENGTH} + tag ${TAG_LENGTH})`,
    };
  }
  return {
    ok: true,
    salt: payload.subarray(0, saltLength),
    nonce: payload.subarray(saltLength, saltLength + NONCE_LENGTH),
    sealed: payload.subarray(saltLength + NONCE_LENGTH),
  };
}

/**
 * AES-GCM open with AES-128/192/256 chosen by the key's length; every failure
 * (wrong key, tampering, unusable key size) is a wrong-password result.
 */
export function openV2WithKey(parsed: ParsedV2, key: Uint8Array): OpenResult {
  try {
    const algorithm = GCM_BY_KEY_LENGTH[key.length];
    if (!algorithm) throw new Error(`no AES-GCM for a ${key.length}-byte key`);
    const tagStart = parsed.sealed.length - TAG_LENGTH;
    const decipher = createDecipheriv(algorithm, key, parsed.nonce, {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAuthTag(parsed.sealed.subarray(tagStart));
    const plaintext = Buffer.concat([
      decipher.update(parsed.sealed.subarray(0, tagStart)),
      decipher.final(),
    ]);
    return { ok: true, version: 'v2', plaintext };
  } catch {
    return {
      ok: false,
      version: 'v2',
      reason: 'wrong-password',
      detail:
        'AES-GCM authentication failed (wrong password, wrong Argon2id configuration or altered value)',
    };
  }
}

function requireLength(name: string, bytes: Uint8Array, expected: number): void {
  if (bytes.length !== expected) {
    throw new EngineError(
      'INTERNAL',
      `sealV2 needs a ${expected}-byte ${name}, got ${bytes.length} bytes.`,
    );
  }
}

/**
 * Builds a v2 value from an already derived key. Deterministic: the caller
 * owns salt/nonce freshness (encodeV2Value draws them at random). Throws only
 * for key/salt/nonce sizes other than `sizes` says, a programming error.
 */
export function sealV2(
  plaintext: Uint8Array,
  key: Uint8Array,
  salt: Uint8Array,
  nonce: Uint8Array,
  sizes: V2Sizes = {},
): string {
  requireLength('key', key, keyLengthOf(sizes));
  requireLength('salt', salt, saltLengthOf(sizes));
  requireLength('nonce', nonce, NONCE_LENGTH);
  const algorithm = GCM_BY_KEY_LENGTH[key.length];
  if (!algorithm) {
    throw new EngineError(
      'INTERNAL',
      `sealV2 got a ${key.length}-byte key; AES needs 16, 24 or 32.`,
    );
  }
  const cipher = createCipheriv(algorithm, key, nonce, { authTagLength: TAG_LENGTH });
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const payload = Buffer.concat([salt, nonce, ciphertext, cipher.getAuthTag()]);
  return V2_PREFIX + encodeBase64Url(payload);
}

/** Encrypts `plaintext` for `password` with a fresh random salt and nonce (never reused). */
export async function encodeV2Value(
  plaintext: Uint8Array,
  password: Uint8Array,
  config: Argon2Config,
  kdf: Argon2idBackend,
): Promise<string> {
  const salt = randomBytes(saltLengthOf(config));
  const nonce = randomBytes(NONCE_LENGTH);
  const key = await kdf.deriveKey(password, salt, config);
  try {
    return sealV2(plaintext, key, salt, nonce, config);
  } finally {
    key.fill(0);
  }
}
