/**
 * Legacy v1 encoding, for generating test vaults only (the engine decodes v1
 * and never writes it). Steps from docs/vaultstore-format.md; every value is
 * checked by decoding it with the engine's codec before it is used.
 */
import { randomInt } from 'node:crypto';
import { encodeBase64Url, openV1WithKey } from '../src/engine/index.js';

const FILLER_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function filler(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += FILLER_ALPHABET[randomInt(FILLER_ALPHABET.length)];
  return text;
}

export function encodeV1Value(plaintext: Uint8Array, v1Key: Uint8Array): string {
  const payload = encodeBase64Url(Buffer.from(plaintext));
  const head = `${payload.length}_${payload}`;
  let size = 128;
  while (size < head.length) size *= 2;
  const inner = Buffer.from(
    encodeBase64Url(Buffer.from(head + filler(size - head.length), 'latin1')),
    'latin1',
  );
  for (let i = 0; i < inner.length; i++) inner[i] = inner[i]! ^ v1Key[i % v1Key.length]!;
  const value = encodeBase64Url(inner);
  const check = openV1WithKey(value, v1Key);
  if (!check.ok || !check.plaintext.equals(plaintext)) {
    throw new Error('encodeV1Value produced a value the codec does not open');
  }
  return value;
}
