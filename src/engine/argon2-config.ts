/**
 * Argon2id parameters of a VaultStore store (the Go library's CryptoConfig).
 * They are not stored in the values: the application configures them once,
 * so we must be told them.
 */
export interface Argon2Config {
  /** t: passes over memory */
  readonly iterations: number;
  /** m: memory in KiB */
  readonly memoryKiB: number;
  /** p: lanes */
  readonly parallelism: number;
  /**
   * k: Argon2id output length in bytes, which is also the AES key size
   * (16, 24, 32: AES-128/192/256-GCM). Omitted: 32, the library default.
   */
  readonly keyLength?: number;
  /** Salt bytes at the start of every v2 value. Omitted: 16, the library default. */
  readonly saltLength?: number;
}

export type Argon2PresetName = 'default' | 'lightweight' | 'high' | 'tiny';

export const ARGON2_PRESETS: Readonly<Record<Argon2PresetName, Argon2Config>> = {
  default: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
  lightweight: { iterations: 2, memoryKiB: 32768, parallelism: 2 },
  high: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
  tiny: { iterations: 1, memoryKiB: 64, parallelism: 1 },
};

/** Default sizes of the v2 format (bytes): the library's KeyLength and SaltSize. */
export const KEY_LENGTH = 32;
export const SALT_LENGTH = 16;
/** Fixed by the library: Go's cipher.NewGCM (12-byte nonce, 16-byte tag) whatever its config says. */
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;

/** Key lengths aes.NewCipher accepts; any other KeyLength makes the library fail every value. */
export const AES_KEY_LENGTHS: readonly number[] = [16, 24, 32];
/** Argon2 (RFC 9106) and both our backends need at least 8 salt bytes (Go's argon2 does not check). */
export const MIN_SALT_LENGTH = 8;
/** No upper limit in the library; more than this is surely a typo. */
export const MAX_SALT_LENGTH = 1024;

/** The key length a config means (32 when omitted). */
export function keyLengthOf(config: Pick<Argon2Config, 'keyLength'>): number {
  return config.keyLength ?? KEY_LENGTH;
}

/** The salt size a config means (16 when omitted). */
export function saltLengthOf(config: Pick<Argon2Config, 'saltLength'>): number {
  return config.saltLength ?? SALT_LENGTH;
}
