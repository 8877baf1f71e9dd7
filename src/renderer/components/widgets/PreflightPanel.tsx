import { useEffect, useId, useRef, type ReactNode } from 'react';
import type { PreflightProgress, PreflightResult } from '../../../shared/ipc-contract.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';
import { hasUnicodeFormAmbiguity } from '../../lib/password-policy.js';
import { suggestedPresetOf } from '../../store/preflight-state.js';
import { selectDraftValidity } from '../../store/rotation-state.js';
import { selectDistributing } from '../../store/distributed-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { CheckMeter } from './CheckMeter.js';
import { ErrorNotice, errorTitle } from './ErrorNotice.js';
import { KeyIcon, SuccessIcon, WarningIcon } from './Icons.js';

/** Timed on this machine's pool: with other machines too it is this machine's time alone. */
function estimate(result: PreflightResult, distributing: boolean): string {
  const seconds = Math.max(1, Math.round(result.estimatedSeconds));
  const time = formatDuration(seconds * 1000);
  return distributing
    ? `Rotating all ${plural(result.total, 'record')} would take about ${time} on this machine alone; the other machines shorten it.`
    : `Rotating all ${plural(result.total, 'record')} should take about ${time} here.`;
}

/** v2 and legacy v1 records are sampled apart: v1 values open whatever the Argon2id settings. */
function SplitLine({ result }: { result: PreflightResult }): ReactNode {
  const { v2, v1 } = result;
  if (v1.sampled === 0) return null;
  return (
    <p className="notice-text" data-testid="preflight-split">
      v2 records: {formatCount(v2.opened)} of {formatCount(v2.sampled)} opened · legacy v1 records:{' '}
      {formatCount(v1.opened)} of {formatCount(v1.sampled)} opened
    </p>
  );
}

/**
 * No sampled v2 record opened: a rotation would skip every one of them, so
 * Start is blocked. Offers the library preset that did open one, if any.
 */
function NoV2Opens({
  result,
  password,
  malformed,
}: {
  result: PreflightResult;
  password: string;
  malformed: ReactNode;
}): ReactNode {
  const store = useStoreApi();
  const preflight = useAppState((state) => state.preflight);
  const preset = suggestedPresetOf(preflight);
  const tested = result.v2.sampled - result.v2.malformed;
  const v1Opened = result.v1.opened > 0;
  return (
    <div className="notice notice-danger" role="alert">
      <WarningIcon className="notice-icon" />
      <div className="notice-body">
        <p className="notice-title">None of the {formatCount(tested)} sampled v2 records opened</p>
        <SplitLine result={result} />
        <p className="notice-text">
          {preset
            ? `This vault looks like it uses the ${preset} preset: it opened a sampled v2 record. `
            : v1Opened
              ? 'The password is right (legacy v1 records open, and they do not use the Argon2id settings), but the Argon2id preset is not the one the application uses. '
              : 'Either the current password is wrong, or the Argon2id preset is not the one the application uses (values do not record it). '}
          Rotating now would skip every v2 record, so Start is blocked.
        </p>
        {preset ? (
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => void store.getState().applySuggestedPreset()}
          >
            Use the {preset} preset
          </button>
        ) : null}
        {!preset && !v1Opened && hasUnicodeFormAmbiguity(password) ? <UnicodeFormHint /> : null}
        {malformed}
      </div>
    </div>
  );
}

/**
 * "Rotate anyway": the one way past a check in which nothing opened (the old
 * password may protect only records the sample missed), behind a confirmation
 * that says what it costs. Never the default action.
 */
function ScanAnyway({ total }: { total: number }): ReactNode {
  const store = useStoreApi();
  // Not with other machines: their rotation has no such override.
  const offered = useAppState(
    (state) => selectDraftValidity(state).canScanAnyway && !selectDistributing(state),
  );
  const confirming = useAppState((state) => state.scanAnywayConfirmOpen);
  // The safe choice has the focus: Enter or Space there goes back.
  const backRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    if (confirming) backRef.current?.focus();
  }, [confirming]);
  if (!offered) return null;
  if (!confirming) {
    return (
      <button
        type="button"
        className="button button-danger-outline button-small"
        onClick={() => store.getState().requestScanAnyway()}
      >
        Rotate anyway…
      </button>
    );
  }
  return (
    <div className="scan-anyway-confirm" role="alertdialog" aria-labelledby={titleId}>
      <p id={titleId} className="notice-text">
        <strong>Test all {plural(total, 'record')} with the current password?</strong> This takes as
        long as a rotation and most likely changes nothing. Records that do open are rotated.
      </p>
      <div className="button-row">
        <button
          ref={backRef}
          type="button"
          className="button button-ghost button-small"
          onClick={() => store.getState().dismissScanAnyway()}
        >
          Back
        </button>
        <button
          type="button"
          className="button button-danger button-small"
          onClick={() => void store.getState().confirmScanAnyway()}
        >
          Test every record
        </button>
      </div>
    </div>
  );
}

/** The password may have been typed in the other Unicode form than the application stored. */
function UnicodeFormHint(): ReactNode {
  return (
    <p className="notice-text">
      Your password has accented or combined characters. They can be stored in two Unicode forms
      (NFC and NFD) that look the same but differ in bytes: if the password was set on another
      system, it may have used the other form.
    </p>
  );
}

function Outcome({ result, password }: { result: PreflightResult; password: string }): ReactNode {
  const distributing = useAppState(selectDistributing);
  const malformed =
    result.malformed > 0 ? (
      <p className="preflight-note">
        {plural(result.malformed, 'sampled value is', 'sampled values are')} malformed: no password
        can open {result.malformed === 1 ? 'it' : 'them'}, so they will be reported and left alone.
      </p>
    ) : null;

  if (result.sampled === 0) {
    return <p className="preflight-note">This table has no records to check.</p>;
  }
  if (result.refusal === 'already-rotated' && result.newPasswordSample) {
    return (
      <div className="notice notice-warning" role="alert">
        <WarningIcon className="notice-icon" />
        <div className="notice-body">
          <p className="notice-title">This vault looks already rotated</p>
          <p className="notice-text">
            None of the {formatCount(result.sampled)} sampled records opened with the current
            password, but {formatCount(result.newPasswordSample.opened)} of{' '}
            {formatCount(result.newPasswordSample.sampled)} already open with the new one: a
            previous rotation probably completed. Nothing was changed. Verify the vault with the new
            password to be sure.
          </p>
          <ScanAnyway total={result.total} />
        </div>
      </div>
    );
  }
  if (result.refusal === 'nothing-opened' || (result.canRotate && result.opened === 0)) {
    return (
      <div className="notice notice-danger" role="alert">
        <WarningIcon className="notice-icon" />
        <div className="notice-body">
          <p className="notice-title">
            None of the {formatCount(result.sampled)} sampled records opened
          </p>
          <SplitLine result={result} />
          <p className="notice-text">
            Rotating now would test every record and change nothing. Check:
          </p>
          <ul className="notice-list" data-testid="preflight-causes">
            <li>the current password (the application’s, spelled exactly);</li>
            {result.v2.sampled > result.v2.malformed ? (
              <li>
                the Argon2id preset: values do not record it, and none of the library’s presets
                opened a sampled record either, so the application may use its own (Custom);
              </li>
            ) : null}
            <li>
              whether the vault was already rotated to another password
              {result.newPasswordSample
                ? ` (the new password opened none of ${formatCount(result.newPasswordSample.sampled)} sampled records)`
                : ''}
              .
            </li>
          </ul>
          {hasUnicodeFormAmbiguity(password) ? <UnicodeFormHint /> : null}
          {malformed}
          <ScanAnyway total={result.total} />
        </div>
      </div>
    );
  }
  if (!result.canRotate) {
    return <NoV2Opens result={result} password={password} malformed={malformed} />;
  }
  const partial = result.opened < result.sampled;
  return (
    <div className={`notice ${partial ? 'notice-info' : 'notice-success'}`}>
      <SuccessIcon className="notice-icon" />
      <div className="notice-body">
        <p className="notice-title">
          {formatCount(result.opened)} of {formatCount(result.sampled)} sampled records opened
        </p>
        <SplitLine result={result} />
        <p className="notice-text">
          {partial ? 'The others probably use another password: they will be skipped. ' : ''}
          {estimate(result, distributing)}
        </p>
        {malformed}
      </div>
    </div>
  );
}

const PREFLIGHT_STEP: Record<PreflightProgress['phase'], string> = {
  starting: 'Starting the check…',
  checking: 'Testing sampled records',
  'testing-new-password': 'Testing the new password (already rotated?)',
  'detecting-preset': 'Trying the library presets',
  timing: 'Timing a write',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/** Each phase's own work, so the bar moves while presets are tried after the sample is done. */
function stepCounts(progress: PreflightProgress): string {
  const step = PREFLIGHT_STEP[progress.phase];
  if (progress.stepTotal === 0) return step;
  const of = `${formatCount(progress.stepDone)} of ${formatCount(progress.stepTotal)}`;
  switch (progress.phase) {
    case 'checking':
      return `${step}: ${of} tested · ${formatCount(progress.opened)} opened`;
    case 'testing-new-password':
      return `${step}: ${of} records`;
    case 'detecting-preset':
      return `${step}: ${of} trials`;
    case 'starting':
    case 'timing':
    case 'done':
    case 'cancelled':
    case 'failed':
      return step;
  }
}

const METER_LABEL: Partial<Record<PreflightProgress['phase'], string>> = {
  'testing-new-password': 'Records tested with the new password',
  'detecting-preset': 'Preset trials done',
};

function PreflightRunning({ progress }: { progress: PreflightProgress | null }): ReactNode {
  const store = useStoreApi();
  const counts = progress ? stepCounts(progress) : PREFLIGHT_STEP.starting;
  return (
    <div className="preflight-running" role="status">
      <CheckMeter
        label={(progress && METER_LABEL[progress.phase]) ?? 'Sampled records tested'}
        done={progress?.stepDone ?? 0}
        total={progress && progress.stepTotal > 0 ? progress.stepTotal : null}
        counts={counts}
      />
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={() => store.getState().cancelPreflight()}
      >
        Cancel check
      </button>
    </div>
  );
}

/**
 * "Check password": tries the current password and preset on a few random
 * records before anything is written, right under the current password.
 */
export function PreflightPanel({ canCheck }: { canCheck: boolean }): ReactNode {
  const store = useStoreApi();
  const preflight = useAppState((state) => state.preflight);
  const password = useAppState((state) => state.draft.oldPassword);
  const running = preflight.status === 'running';
  // Start's own check says "Checking…" on Start (rotation-check.ts); this button is only disabled.
  const startChecking = useAppState((state) => state.rotationStatus === 'checking');
  return (
    <section className="preflight" aria-label="Check the current password">
      <div className="preflight-row">
        <button
          type="button"
          className="button button-secondary button-small"
          disabled={!canCheck || running}
          aria-describedby="preflight-hint"
          onClick={() => void store.getState().runPreflight()}
        >
          <KeyIcon />
          {running && !startChecking ? 'Checking…' : 'Check password'}
        </button>
        <p id="preflight-hint" className="field-hint">
          Tries it on a few random records with this preset. Writes nothing.
        </p>
      </div>
      {running ? <PreflightRunning progress={preflight.progress} /> : null}
      <div aria-live="polite">
        {preflight.status === 'done' ? (
          <Outcome result={preflight.result} password={password} />
        ) : null}
        {preflight.status === 'error' ? (
          <ErrorNotice
            error={preflight.error}
            // Start's job ended before its check passed (a lock, triggers, ...): nothing was written.
            {...(preflight.fromStart
              ? { title: `Not started: ${errorTitle(preflight.error).toLowerCase()}` }
              : {})}
          />
        ) : null}
      </div>
    </section>
  );
}
