/**
 * Argon2id settings of a VaultStore store: they live in core (every layer
 * uses them); re-exported here so engine imports keep working.
 */
export type { Argon2Config, Argon2PresetName } from '../core/argon2.js';
export {
  AES_KEY_LENGTHS,
  ARGON2_PRESETS,
  KEY_LENGTH,
  keyLengthOf,
  MAX_SALT_LENGTH,
  MIN_SALT_LENGTH,
  NONCE_LENGTH,
  SALT_LENGTH,
  saltLengthOf,
  TAG_LENGTH,
} from '../core/argon2.js';
