import {
  AES_KEY_LENGTHS,
  MAX_SALT_LENGTH,
  MIN_SALT_LENGTH,
  type Argon2Config,
} from '../argon2-config.js';
import { EngineError } from '../errors.js';

const UINT32_MAX = 0xffff_ffff;
/** Go's argon2.IDKey takes the lane count as a uint8. */
const MAX_PARALLELISM = 255;

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Rejects Argon2id parameters that the backends (and the RFC) refuse, with a
 * message the user can act on. Go would silently raise m below 8*p; we ask
 * for a real value instead of guessing. Key length and salt size are the
 * library's CryptoConfig.KeyLength / SaltSize.
 */
export function assertArgon2Config(config: Argon2Config): void {
  const { iterations: t, memoryKiB: m, parallelism: p } = config;
  const fix =
    'Use the t, m and p the VaultStore application is configured with (e.g. the "default" preset t=3, m=65536, p=4).';
  if (!isIntegerIn(t, 1, UINT32_MAX)) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `Argon2id iterations (t) must be a whole number of at least 1, got ${t}. ${fix}`,
    );
  }
  if (!isIntegerIn(p, 1, MAX_PARALLELISM)) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `Argon2id parallelism (p) must be a whole number from 1 to ${MAX_PARALLELISM}, got ${p}. ${fix}`,
    );
  }
  if (!isIntegerIn(m, 8 * p, UINT32_MAX)) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `Argon2id memory (m) must be a whole number of KiB, at least 8 x parallelism (${8 * p}), got ${m}. ${fix}`,
    );
  }
  assertKeyAndSaltLength(config);
}

/** k and salt: the sizes the library can use and our backends can derive with. */
function assertKeyAndSaltLength(config: Argon2Config): void {
  const { keyLength: k, saltLength: salt } = config;
  if (k !== undefined && !AES_KEY_LENGTHS.includes(k)) {
    throw new EngineError(
      'ARGON2_CONFIG',
      `The key length (k) must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256), got ${k}: ` +
        'the VaultStore library cannot encrypt or open anything with another length. ' +
        "Use the KeyLength of the application's CryptoConfig (32 unless it was changed).",
    );
  }
  if (salt !== undefined && !isIntegerIn(salt, MIN_SALT_LENGTH, MAX_SALT_LENGTH)) {
    const why =
      Number.isInteger(salt) && salt >= 0 && salt < MIN_SALT_LENGTH
        ? `Argon2id needs at least ${MIN_SALT_LENGTH} salt bytes (RFC 9106); the Go library does not check this, but this tool cannot derive keys with a shorter salt. `
        : '';
    throw new EngineError(
      'ARGON2_CONFIG',
      `The salt size must be a whole number of bytes from ${MIN_SALT_LENGTH} to ${MAX_SALT_LENGTH}, got ${salt}. ${why}` +
        "Use the SaltSize of the application's CryptoConfig (16 unless it was changed).",
    );
  }
}
