/**
 * The current VaultStore value format:
 *   "v2:" + base64url_padded(salt[16] || nonce[12] || AES-256-GCM(plaintext) || tag[16])
 * with key = Argon2id(password, salt, config). See docs/vaultstore-format.md.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  KEY_LENGTH,
  NONCE_LENGTH,
  SALT_LENGTH,
  TAG_LENGTH,
  type Argon2Config,
} from '../argon2-config.js';
import { EngineError } from '../errors.js';
import type { Argon2idBackend } from '../kdf/types.js';
import { decodeGoBase64Url, encodeBase64Url } from './go-base64.js';
import type { MalformedV2, OpenResult, ParsedV2 } from './types.js';

export const V2_PREFIX = 'v2:';
const MIN_PAYLOAD = SALT_LENGTH + NONCE_LENGTH + TAG_LENGTH;

/** Exact, case-sensitive prefix test: "V2:", " v2:" and "" are v1 to the library. */
export function isV2Value(value: string): boolean {
  return value.startsWith(V2_PREFIX);
}

/** Splits a v2 value without any key derivation; failures here mean no password can open it. */
export function parseV2Value(value: string): ParsedV2 | MalformedV2 {
  if (!isV2Value(value)) return { ok: false, detail: 'not a v2 value (no "v2:" prefix)' };
  const payload = decodeGoBase64Url(value.slice(V2_PREFIX.length));
  if (payload === null) return { ok: false, detail: 'v2 payload is not valid padded base64url' };
  if (payload.length < MIN_PAYLOAD) {
    return {
      ok: false,
      detail: `v2 payload is ${payload.length} bytes, shorter than the minimum ${MIN_PAYLOAD}`,
    };
  }
  return {
    ok: true,
    salt: payload.subarray(0, SALT_LENGTH),
    nonce: payload.subarray(SALT_LENGTH, SALT_LENGTH + NONCE_LENGTH),
    sealed: payload.subarray(SALT_LENGTH + NONCE_LENGTH),
  };
}

/** AES-256-GCM open; every failure (wrong key, tampering, bad key size) is a wrong-password result. */
export function openV2WithKey(parsed: ParsedV2, key: Uint8Array): OpenResult {
  try {
    const tagStart = parsed.sealed.length - TAG_LENGTH;
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.nonce, {
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
 * for wrong key/salt/nonce sizes, which is a programming error.
 */
export function sealV2(
  plaintext: Uint8Array,
  key: Uint8Array,
  salt: Uint8Array,
  nonce: Uint8Array,
): string {
  requireLength('key', key, KEY_LENGTH);
  requireLength('salt', salt, SALT_LENGTH);
  requireLength('nonce', nonce, NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
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
  const salt = randomBytes(SALT_LENGTH);
  const nonce = randomBytes(NONCE_LENGTH);
  const key = await kdf.deriveKey(password, salt, config);
  try {
    return sealV2(plaintext, key, salt, nonce);
  } finally {
    key.fill(0);
  }
}
