/** The rotation job and the checks around it. */
export { rotateVault, DEFAULT_BATCH_SIZE } from './rotate-vault.js';
export { preflightRotation, DEFAULT_PREFLIGHT_SAMPLE } from './preflight.js';
export { verifyVault } from './verify-vault.js';
export { inspectVault } from './inspect-vault.js';
export type { InspectVaultOptions } from './inspect-vault.js';
export { recordScope } from './record-scope.js';
export type { RecordScope } from './record-scope.js';
export {
  sampleOldPassword,
  configOpensV2,
  assertConfigOpensV2,
  wrongConfigMessage,
  detectPreset,
  DETECTABLE_PRESETS,
} from './open-config-check.js';
export {
  diagnoseSample,
  refusalOf,
  refusalError,
  nothingOpenedMessage,
  nothingOpenedCauses,
  noneOpenedText,
  alreadyRotatedMessage,
} from './sample-diagnosis.js';
export type {
  SampleDiagnosis,
  RefusalContext,
  RefusedSample,
  DiagnosisListener,
} from './sample-diagnosis.js';
export type {
  OldPasswordSample,
  OldPasswordSampleDetails,
  OldPasswordSampleSettings,
  ConfigCheckContext,
  DetectPresetOptions,
  DetectedPreset,
  KindTally,
} from './open-config-check.js';
export {
  validateRotationInput,
  validateArgon2Config,
  assertPasswordPolicy,
  assertPasswordRules,
  missingPasswordRules,
  resolveVaultTable,
  MAX_ITERATIONS,
  MAX_MEMORY_KIB,
} from './validation.js';
export type { RotationInput } from './validation.js';
export { unicodeNormalizationHint } from './unicode-hint.js';
export {
  argon2Spec,
  parseArgon2Config,
  describeArgon2Config,
  sameArgon2Config,
} from './argon2-spec.js';
export {
  checkpointPathFor,
  readCheckpoint,
  deleteCheckpoint,
  unfinishedRotationError,
} from './checkpoint.js';
export { assertNoRotationRunning } from './rotation-lock.js';
export type { RotationCheckpoint } from './checkpoint.js';
export { defaultBackupPath } from './backup-path.js';
export { defaultStateDir, serverStateBase } from './local-state.js';
export { DEFAULT_PROGRESS_INTERVAL_MS } from './progress.js';
export { choosePoolSize } from './pool-size.js';
export { DEFAULT_MIN_PASSWORD_BYTES } from './types.js';
export type * from './types.js';
