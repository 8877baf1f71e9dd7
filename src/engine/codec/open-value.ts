/** Opens any stored value with one password: dispatches to v2 or legacy v1. */
import { createHmac, randomBytes } from 'node:crypto';
import type { Argon2Config } from '../../core/argon2.js';
import type { Argon2idBackend } from '../kdf/types.js';
import type { OpenResult } from './types.js';
import { deriveV1Key, openV1WithKey } from './v1.js';
import { isV2Value, openV2WithKey, parseV2Value } from './v2.js';

// Cache keys are keyed digests of the password under a per-process secret, so
// the cache never holds the password or a digest that could be looked up elsewhere.
const cacheKeySecret = randomBytes(32);

function v1KeyFor(password: Uint8Array, cache: Map<string, Buffer> | undefined): Buffer {
  if (!cache) return deriveV1Key(password);
  const id = createHmac('sha256', cacheKeySecret).update(password).digest('base64');
  let key = cache.get(id);
  if (!key) {
    key = deriveV1Key(password);
    cache.set(id, key);
  }
  return key;
}

/**
 * Never rejects because of `value`: every value gives an OpenResult. A
 * malformed v2 value costs no key derivation. Rejects only if the KDF itself
 * fails (invalid Argon2id configuration), which no value can cause.
 */
export async function openValue(
  value: string,
  password: Uint8Array,
  config: Argon2Config,
  kdf: Argon2idBackend,
  v1KeyCache?: Map<string, Buffer>,
): Promise<OpenResult> {
  if (!isV2Value(value)) return openV1WithKey(value, v1KeyFor(password, v1KeyCache));
  const parsed = parseV2Value(value, config);
  if (!parsed.ok) return { ok: false, version: 'v2', reason: 'malformed', detail: parsed.detail };
  const key = await kdf.deriveKey(password, parsed.salt, config);
  try {
    return openV2WithKey(parsed, key);
  } finally {
    key.fill(0);
  }
}
