/**
 * Base64 exactly as Go's `base64.URLEncoding` decodes it, because which
 * strings decode is part of the VaultStore format (see docs/vaultstore-format.md):
 * alphabet A-Z a-z 0-9 '-' '_', '=' padding required, '\r' and '\n' ignored
 * anywhere, unused trailing bits not checked. Node's own decoder is more
 * lenient (no padding needed, '+' '/' accepted), so we validate ourselves.
 */

const INVALID = 0xff;
const CR = 0x0d;
const LF = 0x0a;
const PAD = 0x3d; // '='

const DECODE_TABLE: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(INVALID);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** Character codes of `text`; anything outside Latin-1 maps to a code that is never valid. */
function charCodes(text: string): Uint8Array {
  const codes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    codes[i] = code > 0x7f ? INVALID : code;
  }
  return codes;
}

/**
 * Decodes Go-style padded base64url given as raw bytes (a Go string is bytes).
 * Returns null wherever Go's DecodeString returns an error.
 */
export function decodeGoBase64UrlBytes(source: Uint8Array): Buffer | null {
  // Go skips '\r' and '\n' wherever they are, padding included; drop them first.
  const sextets = new Uint8Array(source.length);
  let count = 0;
  let padding = 0;
  for (const byte of source) {
    if (byte === CR || byte === LF) continue;
    if (byte === PAD) {
      padding++;
      continue;
    }
    // Data after padding is "trailing garbage" to Go.
    if (padding > 0) return null;
    const value = DECODE_TABLE[byte] ?? INVALID;
    if (value === INVALID) return null;
    sextets[count++] = value;
  }
  const tail = count % 4;
  // Complete quanta need no padding; a 2- or 3-character tail needs exactly "==" or "=".
  const expectedPadding = tail === 0 ? 0 : tail === 2 ? 2 : tail === 3 ? 1 : -1;
  if (padding !== expectedPadding) return null;

  const output = Buffer.allocUnsafe(Math.floor(count / 4) * 3 + (tail === 0 ? 0 : tail - 1));
  let out = 0;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const bits =
      (sextets[i]! << 18) | (sextets[i + 1]! << 12) | (sextets[i + 2]! << 6) | sextets[i + 3]!;
    output[out++] = bits >>> 16;
    output[out++] = (bits >>> 8) & 0xff;
    output[out++] = bits & 0xff;
  }
  if (tail >= 2) {
    // Unused low bits of the last character are ignored, like Go's non-strict decoder.
    const bits =
      (sextets[i]! << 18) | (sextets[i + 1]! << 12) | (tail === 3 ? sextets[i + 2]! << 6 : 0);
    output[out++] = bits >>> 16;
    if (tail === 3) output[out++] = (bits >>> 8) & 0xff;
  }
  return output;
}

/** Decodes `text` as Go's `base64.URLEncoding.DecodeString` would; null where Go returns an error. */
export function decodeGoBase64Url(text: string): Buffer | null {
  return decodeGoBase64UrlBytes(charCodes(text));
}

/** Padded base64url, as Go's `base64.URLEncoding.EncodeToString` writes it. */
export function encodeBase64Url(bytes: Uint8Array): string {
  const unpadded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
    'base64url',
  );
  return unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
}
