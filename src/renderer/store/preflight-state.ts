/**
 * The pre-flight of the rotate dialog: a check of the inputs on a sample of
 * records, with a job id of ours (progress events are matched by it): the
 * "Check password" job, or the rotation's own check after Start.
 * What the slice holds, how it starts, and how to read it.
 */
import type {
  CheckEvent,
  IpcError,
  PreflightProgress,
  PreflightResult,
} from '../../shared/ipc-contract.js';
import type { PresetKey } from '../lib/argon2-choices.js';

export type PreflightState =
  | { status: 'idle' }
  | {
      status: 'running';
      /** made here and sent with the call, so progress events can be matched at once */
      jobId: string;
      /** the latest progress event; null until the first arrives */
      progress: PreflightProgress | null;
    }
  /** fromStart: the rotation's own check, run by Start (rotation-check.ts), not "Check password" */
  | { status: 'done'; result: PreflightResult; fromStart?: true }
  | { status: 'error'; error: IpcError; fromStart?: true };

export interface PreflightData {
  preflight: PreflightState;
}

export interface PreflightSlice extends PreflightData {
  runPreflight(): Promise<void>;
  /** stops the running pre-flight and forgets it (a partial sample says nothing reliable) */
  cancelPreflight(): void;
  handlePreflightProgress(event: Extract<CheckEvent, { type: 'preflight-progress' }>): void;
  /** switches the Argon2id choice to the preset the pre-flight found, and checks again */
  applySuggestedPreset(): Promise<void>;
  /**
   * Drops the answer being waited for and stops the check in main; the caller
   * resets `preflight` (in the same update as its own fields).
   */
  abandonPreflight(): void;
  /** settles once main has answered the last check: until then it holds the vault */
  preflightSettled(): Promise<void>;
  /** a started rotation holds the vault until `ended` (its last event): the next check waits for it */
  holdVaultUntil(ended: Promise<void>): void;
}

export const INITIAL_PREFLIGHT_STATE: PreflightData = { preflight: { status: 'idle' } };

/** A finished pre-flight that says the rotation must not start (its inputs have not changed since). */
export function preflightRefuses(preflight: PreflightState): boolean {
  return preflight.status === 'done' && !preflight.result.canRotate;
}

/** The check refused the scan itself (nothing opened, or already rotated): "Rotate anyway" may override it. */
export function preflightRefusesScan(preflight: PreflightState): boolean {
  if (preflight.status !== 'done') return false;
  const { refusal } = preflight.result;
  return refusal === 'nothing-opened' || refusal === 'already-rotated';
}

/** The library preset the pre-flight found opening v2 records, if the picker offers it. */
export function suggestedPresetOf(preflight: PreflightState): SuggestablePreset | null {
  if (preflight.status !== 'done' || preflight.result.canRotate) return null;
  const preset = preflight.result.suggestedPreset;
  return preset && preset !== 'tiny' ? preset : null;
}

export type SuggestablePreset = Exclude<PresetKey, 'custom'>;
