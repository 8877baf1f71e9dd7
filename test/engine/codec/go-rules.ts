/**
 * Test-side statement of the Go rules (docs/vaultstore-format.md), written
 * differently from the code under test so that the two check each other.
 */

/** Go's base64.URLEncoding.DecodeString: CR/LF dropped, strict shape, lenient trailing bits. */
export function goBase64UrlOracle(text: string): Buffer | null {
  const stripped = text.replace(/[\r\n]/g, '');
  const shape = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;
  return shape.test(stripped) ? Buffer.from(stripped, 'base64url') : null;
}

/** The smallest v2 payload: salt + nonce + tag. */
export const MIN_V2_PAYLOAD = 16 + 12 + 16;

/** Go's base64.URLEncoding.EncodeToString, via Node's standard alphabet. */
export function goBase64UrlEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

/**
 * A v1 value around a hand-made block (docs/vaultstore-format.md, v1):
 * base64url(base64url(block) XOR K). Lets tests craft what the Go encoder
 * never writes (negative lengths, missing separators...).
 */
export function craftV1Value(block: string | Uint8Array, v1Key: Uint8Array): string {
  const innerText = goBase64UrlEncode(
    typeof block === 'string' ? Buffer.from(block, 'latin1') : block,
  );
  // '-' or '_' here would fail the library's standard-alphabet check before the block is read.
  if (/[-_]/.test(innerText))
    throw new Error(`craftV1Value: pick another block, ${innerText} has - or _`);
  const inner = Buffer.from(innerText, 'latin1');
  const xored = inner.map((byte, i) => byte ^ v1Key[i % v1Key.length]!);
  return goBase64UrlEncode(xored);
}
