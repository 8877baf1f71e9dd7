/**
 * How a stored value is counted in `info()`: the format's dispatch rule
 * (exactly "v2:" first is v2, anything else goes to the legacy path), refined
 * so that values that cannot be v1 either (empty, characters outside Go's
 * base64url alphabet) are counted apart. info() applies it inside SQLite
 * through a registered SQL function (sqlite/sql.ts).
 */
export type StoredValueKind = 'v2' | 'v1' | 'other';

export const V2_PREFIX = 'v2:';

/** Characters a v1 value can hold: base64url, '=' padding, and the \r \n Go ignores. */
const V1_PATTERN = /^[A-Za-z0-9\-_=\r\n]+$/;

export function classifyStoredValue(value: unknown): StoredValueKind {
  if (typeof value !== 'string') return 'other';
  if (value.startsWith(V2_PREFIX)) return 'v2';
  return V1_PATTERN.test(value) ? 'v1' : 'other';
}
