/**
 * Argon2id parameters of a VaultStore store. They are not stored in the
 * values: the application configures them once, so we must be told them.
 */
export interface Argon2Config {
  /** t: passes over memory */
  readonly iterations: number;
  /** m: memory in KiB */
  readonly memoryKiB: number;
  /** p: lanes */
  readonly parallelism: number;
}

export type Argon2PresetName = 'default' | 'lightweight' | 'high' | 'tiny';

export const ARGON2_PRESETS: Readonly<Record<Argon2PresetName, Argon2Config>> = {
  default: { iterations: 3, memoryKiB: 65536, parallelism: 4 },
  lightweight: { iterations: 2, memoryKiB: 32768, parallelism: 2 },
  high: { iterations: 4, memoryKiB: 131072, parallelism: 4 },
  tiny: { iterations: 1, memoryKiB: 64, parallelism: 1 },
};

/** Fixed sizes of the v2 format (bytes). */
export const KEY_LENGTH = 32;
export const SALT_LENGTH = 16;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;
