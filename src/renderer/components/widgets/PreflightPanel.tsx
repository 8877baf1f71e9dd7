import type { ReactNode } from 'react';
import type { PreflightProgress, PreflightResult } from '../../../shared/ipc-contract.js';
import { formatCount, formatDuration, plural } from '../../lib/format.js';
import { hasUnicodeFormAmbiguity } from '../../lib/password-policy.js';
import { suggestedPresetOf } from '../../store/rotation-slice.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { CheckMeter } from './CheckMeter.js';
import { ErrorNotice } from './ErrorNotice.js';
import { KeyIcon, SuccessIcon, WarningIcon } from './Icons.js';

function estimate(result: PreflightResult): string {
  const seconds = Math.max(1, Math.round(result.estimatedSeconds));
  return `Rotating all ${plural(result.total, 'record')} should take about ${formatDuration(seconds * 1000)} here.`;
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
  if (!result.canRotate) {
    return <NoV2Opens result={result} password={password} malformed={malformed} />;
  }
  if (result.opened === 0) {
    return (
      <div className="notice notice-danger" role="alert">
        <WarningIcon className="notice-icon" />
        <div className="notice-body">
          <p className="notice-title">
            None of the {formatCount(result.sampled)} sampled records opened
          </p>
          <p className="notice-text">
            Either the current password is wrong, or the Argon2id preset is not the one the
            application uses (values do not record it). Rotating now would change nothing: check
            both and try again.
          </p>
          {hasUnicodeFormAmbiguity(password) ? <UnicodeFormHint /> : null}
          {malformed}
        </div>
      </div>
    );
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
          {estimate(result)}
        </p>
        {malformed}
      </div>
    </div>
  );
}

const PREFLIGHT_STEP: Record<PreflightProgress['phase'], string> = {
  starting: 'Starting the check…',
  checking: 'Testing sampled records',
  'detecting-preset': 'Trying the library presets',
  timing: 'Timing a write',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

function PreflightRunning({ progress }: { progress: PreflightProgress | null }): ReactNode {
  const store = useStoreApi();
  const step = PREFLIGHT_STEP[progress?.phase ?? 'starting'];
  const counts =
    progress && progress.toSample > 0
      ? `${step}: ${formatCount(progress.sampled)} of ${formatCount(progress.toSample)} tested · ${formatCount(progress.opened)} opened`
      : step;
  return (
    <div className="preflight-running" role="status">
      <CheckMeter
        label="Sampled records tested"
        done={progress?.sampled ?? 0}
        total={progress && progress.toSample > 0 ? progress.toSample : null}
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
          {running ? 'Checking…' : 'Check password'}
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
        {preflight.status === 'error' ? <ErrorNotice error={preflight.error} /> : null}
      </div>
    </section>
  );
}
