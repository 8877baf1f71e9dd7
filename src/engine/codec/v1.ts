/**
 * Legacy v1 values (decode only): base64url(base64url(block) XOR K), where K =
 * strongify(password) and block = len + "_" + base64url(plaintext) + filler.
 * v1 has no integrity check; see docs/vaultstore-format.md for the steps.
 * Go works on bytes here, so this module does too (never JS strings).
 */
import { createHash } from 'node:crypto';
import { decodeGoBase64UrlBytes, decodeGoBase64Url } from './go-base64.js';
import type { OpenResult } from './types.js';

function hex(algorithm: 'md5' | 'sha1' | 'sha256', data: Uint8Array | string): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** strongify(password): the 200-character XOR key. Depends only on the password: compute it once. */
export function deriveV1Key(password: Uint8Array): Buffer {
  const md5 = hex('md5', password);
  const p1 = hex('sha256', md5 + md5 + md5 + md5);
  const sha1p1 = hex('sha1', p1);
  const p2 = sha1p1 + sha1p1 + sha1p1;
  const p3 = hex('sha1', p2) + hex('md5', p2) + hex('sha1', p2);
  const p4 = hex('sha256', p3);
  const key =
    hex('sha1', p4) +
    hex('sha256', hex('md5', p4)) +
    hex('sha256', hex('sha1', p4)) +
    hex('md5', p4);
  return Buffer.from(key, 'latin1');
}

/** A byte of the standard base64 alphabet (A-Z a-z 0-9 + /). */
function isStandardBase64Byte(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2b ||
    byte === 0x2f
  );
}

/**
 * The library's isBase64, the regex
 * ^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$
 * (standard alphabet, padded, at least one quantum), as a linear scan: V8
 * runs out of regexp stack on that pattern above ~4 MiB of text and throws.
 */
function isStandardBase64(bytes: Uint8Array): boolean {
  const length = bytes.length;
  if (length === 0 || length % 4 !== 0) return false;
  let padding = 0;
  if (bytes[length - 1] === 0x3d) padding = bytes[length - 2] === 0x3d ? 2 : 1;
  for (let i = 0; i < length - padding; i++) if (!isStandardBase64Byte(bytes[i]!)) return false;
  return true;
}

/** Go's strconv.Atoi for base 10: optional sign, digits only, must fit a 64-bit int. */
const ATOI = /^[+-]?[0-9]+$/;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UNDERSCORE = 0x5f;

function parseGoInt(bytes: Buffer): bigint | null {
  const text = bytes.toString('latin1');
  if (!ATOI.test(text)) return null;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? null : value;
}

const wrongPassword = (detail: string): OpenResult => ({
  ok: false,
  version: 'v1',
  reason: 'wrong-password',
  detail,
});
const malformed = (detail: string): OpenResult => ({
  ok: false,
  version: 'v1',
  reason: 'malformed',
  detail,
});

/** Opens a v1 value with a key from deriveV1Key. Never throws; the reference's panics are errors here. */
export function openV1WithKey(value: string, v1Key: Uint8Array): OpenResult {
  const outer = decodeGoBase64Url(value);
  if (outer === null) return malformed('v1 value is not valid padded base64url');
  // isBase64 below needs a non-empty multiple of 4 characters: no key can make other lengths open.
  if (outer.length === 0 || outer.length % 4 !== 0) {
    return malformed(`v1 value decodes to ${outer.length} bytes, which no password can open`);
  }
  if (v1Key.length === 0) return wrongPassword('empty v1 key');

  const inner = Buffer.allocUnsafe(outer.length);
  for (let i = 0; i < outer.length; i++) inner[i] = outer[i]! ^ v1Key[i % v1Key.length]!;
  // Go turns bytes >= 0x80 into multi-byte runes before the regex, so they fail it too.
  if (!isStandardBase64(inner)) return wrongPassword('v1 inner layer is not base64');

  const block = decodeGoBase64UrlBytes(inner);
  if (block === null) return wrongPassword('v1 inner layer is not base64url');

  const separator = block.indexOf(UNDERSCORE);
  if (separator < 0) return wrongPassword('v1 block has no length separator');
  const length = parseGoInt(block.subarray(0, separator));
  if (length === null) return wrongPassword('v1 block length is not an integer');
  const data = block.subarray(separator + 1);
  if (length < 0n || length > BigInt(data.length)) {
    return wrongPassword('v1 block length is out of range');
  }
  const plaintext = decodeGoBase64UrlBytes(data.subarray(0, Number(length)));
  if (plaintext === null) return wrongPassword('v1 payload is not base64url');
  return { ok: true, version: 'v1', plaintext };
}
