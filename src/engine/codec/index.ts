/** The VaultStore value format: Go-strict base64url, v2 encode/decode, v1 decode. */
export { decodeGoBase64Url, encodeBase64Url } from './go-base64.js';
export { isV2Value, parseV2Value, openV2WithKey, sealV2, encodeV2Value, V2_PREFIX } from './v2.js';
export type { V2Sizes } from './v2.js';
export { deriveV1Key, openV1WithKey } from './v1.js';
export { openValue } from './open-value.js';
export type {
  MalformedV2,
  OpenFailureReason,
  OpenResult,
  ParsedV2,
  ValueVersion,
} from './types.js';
