/** The rotation job and the checks around it. */
export { rotateVault, DEFAULT_BATCH_SIZE } from './rotate-vault.js';
export { preflightRotation, DEFAULT_PREFLIGHT_SAMPLE } from './checks/preflight.js';
export { verifyVault } from './checks/verify-vault.js';
export { inspectVault } from './checks/inspect-vault.js';
export type { InspectVaultOptions } from './checks/inspect-vault.js';
export { recordScope } from './job/record-scope.js';
export type { RecordScope } from './job/record-scope.js';
export {
  sampleOldPassword,
  configOpensV2,
  assertConfigOpensV2,
  wrongConfigMessage,
  detectPreset,
  DETECTABLE_PRESETS,
} from './checks/open-config-check.js';
export {
  diagnoseSample,
  refusalOf,
  refusalError,
  nothingOpenedMessage,
  nothingOpenedCauses,
  noneOpenedText,
  alreadyRotatedMessage,
} from './checks/sample-diagnosis.js';
export type {
  SampleDiagnosis,
  RefusalContext,
  RefusedSample,
  DiagnosisListener,
} from './checks/sample-diagnosis.js';
export type {
  OldPasswordSample,
  OldPasswordSampleDetails,
  OldPasswordSampleSettings,
  ConfigCheckContext,
  DetectPresetOptions,
  DetectedPreset,
  KindTally,
} from './checks/open-config-check.js';
export {
  validateRotationInput,
  validateArgon2Config,
  assertPasswordPolicy,
  assertPasswordRules,
  missingPasswordRules,
  resolveVaultTable,
  MAX_ITERATIONS,
  MAX_MEMORY_KIB,
} from './plan/validation.js';
export type { RotationInput } from './plan/validation.js';
export { unicodeNormalizationHint } from './checks/unicode-hint.js';
export {
  argon2Spec,
  parseArgon2Config,
  describeArgon2Config,
  sameArgon2Config,
} from './plan/argon2-spec.js';
export {
  checkpointPathFor,
  readCheckpoint,
  deleteCheckpoint,
  unfinishedRotationError,
} from './state/checkpoint.js';
export { assertNoRotationRunning } from './state/rotation-lock.js';
export type { RotationCheckpoint } from './state/checkpoint.js';
export { defaultBackupPath } from './plan/backup-path.js';
export { defaultStateDir, serverStateBase } from './state/state-paths.js';
export { DEFAULT_PROGRESS_INTERVAL_MS } from './job/progress.js';
export { choosePoolSize } from './job/pool-size.js';
export { DEFAULT_MIN_PASSWORD_BYTES } from './types.js';
export type * from './types.js';
