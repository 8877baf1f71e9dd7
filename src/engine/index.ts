/**
 * The engine's public entry: what the shells (CLI, Electron main, bench)
 * need. Plain Node; nothing here is bound to a thread, so a shell may run it
 * inside a worker.
 */
export { EngineError, isEngineError } from './errors.js';
export type { EngineErrorCode } from './errors.js';
export {
  ARGON2_PRESETS,
  KEY_LENGTH,
  NONCE_LENGTH,
  SALT_LENGTH,
  TAG_LENGTH,
} from '../core/argon2.js';
export type { Argon2Config, Argon2PresetName } from '../core/argon2.js';

export * from './rotation/index.js';
export type {
  UnfinishedRotation,
  UnfinishedRotationCounts,
  VaultInspection,
} from '../core/types.js';

export { CryptoPool, CRYPTO_WORKER_SOURCE } from './pool/index.js';
export type {
  CryptoPoolOptions,
  CryptoPoolStats,
  CryptoOutcome,
  CryptoTask,
  CryptoTaskResult,
} from './pool/index.js';

export {
  openVault,
  formatSqliteDateTime,
  probeBetterSqlite3,
  VAULT_DRIVERS,
  VAULT_DRIVER_PREFERENCES,
  SERVER_DRIVERS,
  isServerTarget,
  parseServerTarget,
  vaultDriver,
} from './storage/index.js';
// The CLI asks only whether ~/.pgpass has a line for a login (the driver reads the password itself).
export { pgpassLookup } from './storage/postgres/pgpass.js';
export type {
  ServerDialect,
  ServerTarget,
  VaultDriverDescriptor,
  WriteCadence,
} from './storage/index.js';
export type {
  FileDriverName,
  OpenVaultOptions,
  ServerDriverName,
  VaultDriverName,
  VaultDriverPreference,
  VaultInfo,
  VaultStore,
  VaultTableInfo,
} from './storage/types.js';

export { loadArgon2idBackend } from './kdf/index.js';
export type { Argon2BackendName, Argon2BackendPreference, Argon2idBackend } from './kdf/types.js';
export { KdfWorkerClient } from './kdf/kdf-worker-client.js';

/** For hosts: the engine host (src/main) runs in a worker started like the engine's own. */
export { spawnWorker } from './worker-script.js';
export {
  ENGINE_THREAD_LIMITS,
  keepYoungGenerationSmall,
  shareBuiltinsWithWorkers,
} from './young-generation.js';
export { markTiming, onTimingMarks } from './timing-marks.js';
export { defaultPoolSize, usableCores } from './rotation/job/pool-size.js';
export { cgroupCpuLimit } from './rotation/job/cpu-quota.js';
export type { TimingLabel, TimingMark } from './timing-marks.js';
export { releaseRotationLockOfThread } from './rotation/state/rotation-lock.js';
export { rotationStateBase } from './rotation/state/state-paths.js';
export { writePrivateFileAtomically } from './fs/private-file.js';

/** The value format, for vault builders (bench, tests): write v2 and v1 values. */
export { deriveV1Key, encodeBase64Url, openV1WithKey, sealV2 } from './codec/index.js';

/** Rotation across machines: a ledger in the vault's database, shards on a queue. */
export * from './distributed/index.js';
