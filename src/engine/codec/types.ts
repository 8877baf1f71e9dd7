/**
 * Outcome of trying to open one stored value with one password. Never thrown:
 * every input, however malformed, yields one of these.
 *
 * - `wrong-password`: the value is well-formed but did not open (v2: GCM
 *   authentication failed, i.e. wrong password, wrong Argon2id config or
 *   tampered; v1: the XOR-decoded block is not valid, which is what a wrong
 *   password produces).
 * - `malformed`: the value cannot be a VaultStore value whatever the password
 *   (bad base64, too short, ...). No key derivation is spent on it.
 */
export type ValueVersion = 'v1' | 'v2';

export type OpenFailureReason = 'wrong-password' | 'malformed';

export type OpenResult =
  | { readonly ok: true; readonly version: ValueVersion; readonly plaintext: Buffer }
  | {
      readonly ok: false;
      readonly version: ValueVersion;
      readonly reason: OpenFailureReason;
      /** short technical cause, safe to log (no secret in it) */
      readonly detail: string;
    };

/** A v2 value split into its parts (no key derivation done yet). */
export interface ParsedV2 {
  readonly ok: true;
  readonly salt: Buffer;
  readonly nonce: Buffer;
  /** AES-GCM ciphertext followed by the 16-byte tag (salt size per the config) */
  readonly sealed: Buffer;
}

/** A v2 value that cannot open with any password (bad base64, too short). */
export interface MalformedV2 {
  readonly ok: false;
  readonly detail: string;
}
