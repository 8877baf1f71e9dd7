/**
 * Argon2id settings of a VaultStore store: the library's presets, the sizes
 * of the v2 format and the ONE check of a config every layer uses (engine
 * backends and rotation, IPC validation, the app's Custom form). Node-free.
 */

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

/** Every preset name, in the order people see them. */
export const ARGON2_PRESET_NAMES: readonly Argon2PresetName[] = [
  'default',
  'lightweight',
  'high',
  'tiny',
];

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
/** Go's argon2.IDKey takes the lane count as a uint8. */
export const MAX_PARALLELISM = 255;
/** 4 GiB per derivation: beyond this no real VaultStore deployment could open a value. */
export const MAX_MEMORY_KIB = 4 * 1024 * 1024;
/** More passes than this makes one derivation take minutes: surely a typo. */
export const MAX_ITERATIONS = 1024;
/** What Argon2id itself (RFC 9106) and the backends accept for t and m. */
const UINT32_MAX = 0xffff_ffff;

/** The key length a config means (32 when omitted). */
export function keyLengthOf(config: Pick<Argon2Config, 'keyLength'>): number {
  return config.keyLength ?? KEY_LENGTH;
}

/** The salt size a config means (16 when omitted). */
export function saltLengthOf(config: Pick<Argon2Config, 'saltLength'>): number {
  return config.saltLength ?? SALT_LENGTH;
}

export type Argon2Field = 'iterations' | 'memoryKiB' | 'parallelism' | 'keyLength' | 'saltLength';

/** The first thing wrong with a config: which field, and a sentence saying what is allowed. */
export interface Argon2ConfigProblem {
  readonly field: Argon2Field;
  readonly message: string;
}

/**
 * How strict the check is. 'tool' (the default) adds this tool's sanity caps
 * (t ≤ 1024, m ≤ 4 GiB) that catch a wrong unit before it exhausts memory;
 * 'backend' is what Argon2id itself can compute (the KDF backends use it).
 */
export type Argon2Limits = 'tool' | 'backend';

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

const PRESET_HINT =
  'Use the t, m and p the VaultStore application is configured with (e.g. the "default" preset t=3, m=65536, p=4).';
const UNIT_HINT = 'Check the value: m is in KiB (the "default" preset is t=3, m=65536, p=4).';

/**
 * The one Argon2id config check: null when the backends (and the RFC) accept
 * it, else the first problem. Go would silently raise m below 8*p; we ask for
 * a real value instead of guessing. Key length and salt size are the
 * library's CryptoConfig.KeyLength / SaltSize.
 */
export function argon2ConfigProblem(
  config: Argon2Config,
  limits: Argon2Limits = 'tool',
): Argon2ConfigProblem | null {
  const { iterations: t, memoryKiB: m, parallelism: p } = config;
  if (!isIntegerIn(t, 1, UINT32_MAX)) {
    return {
      field: 'iterations',
      message: `Argon2id iterations (t) must be a whole number of at least 1, got ${t}. ${PRESET_HINT}`,
    };
  }
  if (!isIntegerIn(p, 1, MAX_PARALLELISM)) {
    return {
      field: 'parallelism',
      message: `Argon2id parallelism (p) must be a whole number from 1 to ${MAX_PARALLELISM}, got ${p}. ${PRESET_HINT}`,
    };
  }
  if (!isIntegerIn(m, 8 * p, UINT32_MAX)) {
    return {
      field: 'memoryKiB',
      message: `Argon2id memory (m) must be a whole number of KiB, at least 8 x parallelism (${8 * p}), got ${m}. ${PRESET_HINT}`,
    };
  }
  const sizes = keyAndSaltProblem(config);
  if (sizes || limits === 'backend') return sizes;
  if (m > MAX_MEMORY_KIB) {
    return {
      field: 'memoryKiB',
      message: `m=${m} KiB per derivation is more than this tool allows (${MAX_MEMORY_KIB} KiB). ${UNIT_HINT}`,
    };
  }
  if (t > MAX_ITERATIONS) {
    return {
      field: 'iterations',
      message: `t=${t} passes is more than ${MAX_ITERATIONS}; one derivation would take minutes. ${UNIT_HINT}`,
    };
  }
  return null;
}

/** k and salt: the sizes the library can use and our backends can derive with. */
function keyAndSaltProblem(config: Argon2Config): Argon2ConfigProblem | null {
  const { keyLength: k, saltLength: salt } = config;
  if (k !== undefined && !AES_KEY_LENGTHS.includes(k)) {
    return {
      field: 'keyLength',
      message:
        `The key length (k) must be 16, 24 or 32 bytes (AES-128, AES-192 or AES-256), got ${k}: ` +
        'the VaultStore library cannot encrypt or open anything with another length. ' +
        "Use the KeyLength of the application's CryptoConfig (32 unless it was changed).",
    };
  }
  if (salt !== undefined && !isIntegerIn(salt, MIN_SALT_LENGTH, MAX_SALT_LENGTH)) {
    const why =
      Number.isInteger(salt) && salt >= 0 && salt < MIN_SALT_LENGTH
        ? `Argon2id needs at least ${MIN_SALT_LENGTH} salt bytes (RFC 9106); the Go library does not check this, but this tool cannot derive keys with a shorter salt. `
        : '';
    return {
      field: 'saltLength',
      message:
        `The salt size must be a whole number of bytes from ${MIN_SALT_LENGTH} to ${MAX_SALT_LENGTH}, got ${salt}. ${why}` +
        "Use the SaltSize of the application's CryptoConfig (16 unless it was changed).",
    };
  }
  return null;
}
