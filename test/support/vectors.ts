/**
 * Typed access to test/fixtures/vaultstore-vectors.json (made by `vsref
 * vectors`, the independent Go implementation; copied from ../shared/vectors).
 *
 * Schema (schema_version 1):
 * - `configs`: preset name -> { iterations, memory_kib, parallelism, key_length,
 *   salt_size, nonce_size, tag_size }.
 * - `v2[]`: { id, config (preset name), password, password_hex,
 *   store_accepts_password, plaintext | plaintext_hex, plaintext_len,
 *   plaintext_sha256, salt_hex, nonce_hex, key_hex, ciphertext, note? }.
 *   `ciphertext` is the whole stored value ("v2:...").
 * - `v1[]`: { id, password, password_hex, plaintext | plaintext_hex,
 *   plaintext_len, plaintext_sha256, v1_key (strongify result), block (the
 *   framed block before the inner base64), ciphertext, note? }.
 * - `negative[]`: { id, kind: v2 | v1 | dispatch, config? (decode with),
 *   encrypted_with?, password, ciphertext, expect: ok | error, error_class?,
 *   reference_error?, plaintext?, plaintext_len?, plaintext_sha256?,
 *   derived_from, description }. `expect` is what the Go library does;
 *   error_class "panic" means the library panics.
 *
 * Passwords are given as text and as hex: the hex (UTF-8 bytes) is what counts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argon2Config, Argon2PresetName } from '../../src/core/argon2.js';
import { fixturesDir } from './fixtures.js';

export interface VectorConfig {
  name: Argon2PresetName;
  iterations: number;
  memory_kib: number;
  parallelism: number;
  key_length: number;
  salt_size: number;
  nonce_size: number;
  tag_size: number;
}

interface PlaintextFields {
  /** UTF-8 text; absent when the plaintext is not valid UTF-8 */
  plaintext?: string;
  plaintext_hex?: string;
  plaintext_len: number;
  plaintext_sha256: string;
}

export interface V2Vector extends PlaintextFields {
  id: string;
  config: Argon2PresetName;
  password: string;
  password_hex: string;
  store_accepts_password: boolean;
  salt_hex: string;
  nonce_hex: string;
  key_hex: string;
  ciphertext: string;
  note?: string;
}

export interface V1Vector extends PlaintextFields {
  id: string;
  password: string;
  password_hex: string;
  v1_key: string;
  block: string;
  ciphertext: string;
  note?: string;
}

export type ReferenceErrorClass =
  | 'auth_failed'
  | 'invalid_length'
  | 'bad_base64'
  | 'v1_xor_base64'
  | 'v1_not_base64'
  | 'v1_atoi'
  | 'v1_no_separator'
  | 'v1_base64_1'
  | 'v1_base64_2'
  | 'panic';

export interface NegativeVector extends Partial<PlaintextFields> {
  id: string;
  kind: 'v2' | 'v1' | 'dispatch';
  config?: Argon2PresetName;
  encrypted_with?: Argon2PresetName;
  password: string;
  ciphertext: string;
  expect: 'ok' | 'error';
  error_class?: ReferenceErrorClass;
  reference_error?: string;
  derived_from: string;
  description: string;
}

export interface VectorFile {
  format: 'vsref-vectors';
  schema_version: number;
  configs: Record<Argon2PresetName, VectorConfig>;
  v2: V2Vector[];
  v1: V1Vector[];
  negative: NegativeVector[];
}

export const vectors: VectorFile = JSON.parse(
  readFileSync(join(fixturesDir, 'vaultstore-vectors.json'), 'utf8'),
) as VectorFile;

if (vectors.format !== 'vsref-vectors' || vectors.schema_version !== 1) {
  throw new Error(`unexpected vector file format ${vectors.format} v${vectors.schema_version}`);
}

/** The Argon2id parameters of a preset as the vector file states them. */
export function vectorConfig(name: Argon2PresetName): Argon2Config {
  const config = vectors.configs[name];
  return {
    iterations: config.iterations,
    memoryKiB: config.memory_kib,
    parallelism: config.parallelism,
  };
}

/** The password bytes of a vector (from password_hex, the authoritative form). */
export function passwordBytes(vector: { password_hex: string }): Buffer {
  return Buffer.from(vector.password_hex, 'hex');
}

/** The expected plaintext bytes, checked against the vector's sha256 and length. */
export function expectedPlaintext(vector: Partial<PlaintextFields>): Buffer {
  const bytes =
    vector.plaintext_hex !== undefined
      ? Buffer.from(vector.plaintext_hex, 'hex')
      : Buffer.from(vector.plaintext ?? '', 'utf8');
  if (sha256Hex(bytes) !== vector.plaintext_sha256 || bytes.length !== vector.plaintext_len) {
    throw new Error('vector plaintext is missing or does not match its sha256/length');
  }
  return bytes;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Vectors whose Argon2id derivation is cheap (tiny, lightweight). */
export function isFastPreset(name: Argon2PresetName | undefined): boolean {
  return name === 'tiny' || name === 'lightweight';
}
