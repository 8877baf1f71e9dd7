/**
 * The one decision before a rotation starts, shared by the pre-flight and the
 * run's own check: the old password on a sample (widened when it would
 * refuse); when no v2 record opens, the new password on a few records (an
 * earlier rotation?) and the library presets (other settings?). A rotation
 * may start only when the sample gives it something to do: scanning a whole
 * vault in which no sampled record opens costs hours at the default preset
 * and ends "nothing opened" all the same.
 */
import type { Argon2Config, Argon2PresetName } from '../../../core/argon2.js';
import { alreadyOpenText, newPasswordOpensSample } from '../../../core/verdict.js';
import { EngineError } from '../../errors.js';
import type { Argon2BackendPreference } from '../../kdf/types.js';
import type { CryptoTaskResult } from '../../pool/protocol.js';
import { describeArgon2Config } from '../plan/argon2-spec.js';
import { sampleWithNewPassword } from './new-password-sample.js';
import {
  configOpensV2,
  detectPreset,
  opensNothing,
  presetTrialPlan,
  sampleOldPasswordWidely,
  settingsHalfWork,
  testableCount,
  wrongConfigMessage,
  type OldPasswordSample,
  type OldPasswordSampleDetails,
  type OldPasswordSampleSettings,
} from './open-config-check.js';
import type { NewPasswordSample, SampleRefusal } from '../types.js';

/** What the diagnosis is doing, for a progress bar that moves with the work. */
export interface DiagnosisListener {
  /** old-password sample: records about to be tested, then each outcome */
  sampleQueued(records: number): void;
  sampleTested(outcome: CryptoTaskResult['outcome']['kind']): void;
  /** a later step starts with this much work (records or trials), then each unit done */
  step(phase: 'testing-new-password' | 'detecting-preset', total: number): void;
  stepDone(): void;
}

export interface DiagnoseSettings extends Omit<OldPasswordSampleSettings, 'onQueued' | 'onTested'> {
  /** the Argon2id settings the pool opens with */
  readonly config: Argon2Config;
  /** the old password (each preset trial pool copies it; not zeroed here) */
  readonly password: Uint8Array;
  /** the pool also holds the new password (NEW_PASSWORD): tested when no v2 record opens */
  readonly newPasswordInPool: boolean;
  readonly kdfBackend?: Argon2BackendPreference | undefined;
  /** at most this many workers per preset trial pool */
  readonly workers?: number | undefined;
  readonly listener?: DiagnosisListener | undefined;
  /** false: no preset trials (a scan asked for anyway needs no name for its settings) */
  readonly detectPresets?: boolean | undefined;
}

export interface SampleDiagnosis {
  readonly sample: OldPasswordSampleDetails;
  /** when no v2 record opened and the pool held the new password */
  readonly newPasswordSample?: NewPasswordSample;
  /** a library preset that opened a sampled v2 record the settings in use did not */
  readonly suggestedPreset?: Argon2PresetName;
  /** null: a rotation may start (or the check was cancelled) */
  readonly refusal: SampleRefusal | null;
  /** derivations spent in the given pool (both samples; the preset trials run in their own) */
  readonly derivations: number;
  readonly cancelled: boolean;
}

/** Why a rotation must not start on this sample, or null. */
export function refusalOf(
  sample: OldPasswordSample,
  found: { suggestedPreset?: Argon2PresetName; newPasswordSample?: NewPasswordSample },
): SampleRefusal | null {
  if (settingsHalfWork(sample)) return 'wrong-settings';
  if (!opensNothing(sample)) return null;
  if (found.suggestedPreset) return 'wrong-settings';
  if (newPasswordOpensSample(found.newPasswordSample)) return 'already-rotated';
  return 'nothing-opened';
}

export async function diagnoseSample(settings: DiagnoseSettings): Promise<SampleDiagnosis> {
  const { listener, store, scope, pool, signal } = settings;
  const sample = await sampleOldPasswordWidely({
    ...settings,
    onQueued: (records) => listener?.sampleQueued(records),
    onTested: (outcome) => listener?.sampleTested(outcome),
  });
  let derivations = sample.spent;
  let cancelled = sample.cancelled;
  let newPasswordSample: NewPasswordSample | undefined;
  let suggestedPreset: Argon2PresetName | undefined;
  if (!configOpensV2(sample) && !cancelled) {
    if (settings.newPasswordInPool) {
      const tested = await sampleWithNewPassword({
        store,
        scope,
        pool,
        onQueued: (records) => listener?.step('testing-new-password', records),
        onTested: () => listener?.stepDone(),
      });
      newPasswordSample = { sampled: tested.sampled, opened: tested.opened };
      derivations += tested.derivations;
    }
    // Already rotated is the likelier story then: no point trying presets.
    const worthTrying =
      settings.detectPresets !== false && !newPasswordOpensSample(newPasswordSample);
    if (worthTrying && !signal?.aborted) {
      const trials = presetTrialPlan({ records: sample.v2Records, inUse: settings.config });
      listener?.step('detecting-preset', trials.records.length * trials.presets.length);
      const detected = await detectPreset({
        records: sample.v2Records,
        password: settings.password,
        inUse: settings.config,
        kdfBackend: settings.kdfBackend,
        workers: settings.workers,
        signal,
        onTrial: () => listener?.stepDone(),
      });
      suggestedPreset = detected.preset ?? undefined;
    }
    cancelled ||= signal?.aborted === true;
  }
  const found = {
    ...(newPasswordSample && { newPasswordSample }),
    ...(suggestedPreset && { suggestedPreset }),
  };
  return {
    sample,
    ...found,
    refusal: cancelled ? null : refusalOf(sample, found),
    derivations,
    cancelled,
  };
}

export interface RefusalContext {
  /** the settings the sample was tested with */
  readonly config: Argon2Config;
  readonly table: string;
  /** how the person sets them, e.g. "--crypto" (CLI); default: words for the app */
  readonly cryptoOption?: string;
  /** how the person scans anyway, e.g. "--scan-anyway" (CLI); default: words for both shells */
  readonly scanAnywayOption?: string;
}

function scanAnywayText(context: RefusalContext): string {
  return context.scanAnywayOption
    ? `run again with ${context.scanAnywayOption}`
    : 'choose "Rotate anyway" after the check (CLI: --scan-anyway)';
}

/** What a refusal message is made of: the sample and, if tested, the new password's. */
export interface RefusedSample {
  readonly sample: OldPasswordSample;
  readonly newPasswordSample?: NewPasswordSample | undefined;
}

/** "none of the 80 sampled records (64 v2, 16 legacy v1)" */
export function noneOpenedText(sample: OldPasswordSample): string {
  const v2 = sample.v2.sampled - sample.v2.malformed;
  const v1 = sample.v1.sampled - sample.v1.malformed;
  const split = v2 > 0 && v1 > 0 ? ` (${v2} v2, ${v1} legacy v1)` : v1 > 0 ? ' (legacy v1)' : '';
  return `none of the ${testableCount(sample)} sampled records${split}`;
}

/**
 * Nothing opened: what that may mean, in the order worth checking. The new
 * password's sample (if any) rules out "rotated to this new password".
 */
export function nothingOpenedCauses(refused: RefusedSample, context: RefusalContext): string[] {
  const { sample, newPasswordSample } = refused;
  const causes = ['the old password is wrong (check it, and how it is spelled)'];
  if (sample.v2.sampled - sample.v2.malformed > 0) {
    const how = context.cryptoOption
      ? `set the application's with ${context.cryptoOption} t=..,m=..,p=..`
      : "choose Custom and enter the application's";
    causes.push(
      `the vault uses other Argon2id settings than ${describeArgon2Config(context.config)} ` +
        `(none of the library's presets opened a sampled record either): ${how}`,
    );
  }
  causes.push(
    newPasswordSample
      ? `the vault was already rotated to another password (the new password opened none of ${newPasswordSample.sampled} sampled records)`
      : 'the vault was already rotated to another password',
  );
  return causes;
}

export function nothingOpenedMessage(refused: RefusedSample, context: RefusalContext): string {
  const causes = nothingOpenedCauses(refused, context);
  return (
    `The old password opened ${noneOpenedText(refused.sample)} of table "${context.table}", so a ` +
    'rotation would test every record and change nothing: it was not started, and nothing was changed. ' +
    `Possible causes: ${causes.map((cause, index) => `(${index + 1}) ${cause}`).join('; ')}. ` +
    'If the old password protects only a few records the sample missed, test every record anyway: ' +
    `${scanAnywayText(context)}.`
  );
}

export function alreadyRotatedMessage(diagnosis: RefusedSample, context: RefusalContext): string {
  const opened = diagnosis.newPasswordSample ?? { sampled: 0, opened: 0 };
  return (
    `The old password opened ${noneOpenedText(diagnosis.sample)} of table "${context.table}", but ` +
    `${alreadyOpenText(opened)}: this vault looks already rotated (an earlier rotation probably ` +
    'completed, perhaps stopped before it reported). Nothing was changed. Verify the vault with the ' +
    'new password to be sure. To test every record with the old password anyway, ' +
    `${scanAnywayText(context)}.`
  );
}

/** The error a refused diagnosis ends in (WRONG_ARGON2_CONFIG, ALREADY_ROTATED or NOTHING_OPENED). */
export function refusalError(
  diagnosis: RefusedSample & Pick<SampleDiagnosis, 'suggestedPreset' | 'refusal'>,
  context: RefusalContext,
): EngineError {
  switch (diagnosis.refusal) {
    case 'already-rotated':
      return new EngineError('ALREADY_ROTATED', alreadyRotatedMessage(diagnosis, context));
    case 'nothing-opened':
      return new EngineError('NOTHING_OPENED', nothingOpenedMessage(diagnosis, context));
    case 'wrong-settings':
    case null:
      return new EngineError(
        'WRONG_ARGON2_CONFIG',
        wrongConfigMessage(diagnosis.sample, {
          config: context.config,
          suggestedPreset: diagnosis.suggestedPreset,
          cryptoOption: context.cryptoOption,
        }),
      );
  }
}
