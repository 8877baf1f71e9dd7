import { useId, useRef, type FormEvent, type ReactNode } from 'react';
import type { VerifyProgress, VerifyResult } from '../../../shared/ipc-contract.js';
import { choiceFromDraft } from '../../lib/argon2-choices.js';
import { formatCount } from '../../lib/format.js';
import { DEFAULT_VERIFY_SAMPLE } from '../../store/verify-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { Argon2Picker } from '../widgets/Argon2Picker.js';
import { CheckMeter } from '../widgets/CheckMeter.js';
import { Dialog } from './Dialog.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { SuccessIcon, WarningIcon } from '../widgets/Icons.js';
import { PasswordField } from '../widgets/PasswordField.js';

function VerifyRunning({
  progress,
  cancelling,
}: {
  progress: VerifyProgress | null;
  cancelling: boolean;
}): ReactNode {
  const counts = progress
    ? `${formatCount(progress.checked)} of ${formatCount(progress.total)} checked · ` +
      `${formatCount(progress.opened)} opened · ${formatCount(progress.notOpened)} did not open` +
      (progress.malformed > 0 ? ` · ${formatCount(progress.malformed)} malformed` : '')
    : 'Starting the check…';
  return (
    <div role="status">
      <CheckMeter
        label="Records checked"
        done={progress?.checked ?? 0}
        total={progress?.total ?? null}
        counts={cancelling ? `Cancelling… ${counts}` : counts}
      />
    </div>
  );
}

function VerifyOutcome({ result }: { result: VerifyResult }): ReactNode {
  const good = result.opened > 0;
  return (
    <div className={`notice ${good ? 'notice-success' : 'notice-danger'}`} role="status">
      {good ? <SuccessIcon className="notice-icon" /> : <WarningIcon className="notice-icon" />}
      <div className="notice-body">
        <p className="notice-title" data-testid="verify-summary">
          {formatCount(result.opened)} of {formatCount(result.checked)} checked records opened
        </p>
        <p className="notice-text">
          {good
            ? result.notOpened > 0
              ? `${formatCount(result.notOpened)} did not open: in a vault that mixes passwords, those belong to the others.`
              : 'Every checked record opened with this password.'
            : 'Nothing opened: the password or the Argon2id preset does not match these records.'}
          {result.malformed > 0 ? ` ${formatCount(result.malformed)} values are malformed.` : ''}
        </p>
        {result.cancelled ? (
          <p className="notice-text" data-testid="verify-cancelled">
            Cancelled: the counts cover the {formatCount(result.checked)} records checked before it
            stopped.
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** Sample check: open some records with a password. The password is wiped once sent. */
export function VerifyDialog(): ReactNode {
  const store = useStoreApi();
  const target = useAppState((state) => state.verifyTarget);
  const draft = useAppState((state) => state.verifyDraft);
  const verify = useAppState((state) => state.verifyState);
  const passwordRef = useRef<HTMLInputElement>(null);
  const sampleId = useId();
  if (!target) return null;

  const running = verify.status === 'running';
  const canVerify = draft.password.length > 0 && choiceFromDraft(draft.crypto) !== null && !running;
  const close = (): void => store.getState().closeVerify();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (canVerify) void store.getState().runVerify();
  };

  return (
    <Dialog
      title="Verify the vault"
      subtitle={
        <>
          Opens records of table <strong>{target.table}</strong> with a password. Nothing is
          written.
        </>
      }
      onClose={close}
      initialFocus={passwordRef}
    >
      <form className="dialog-form" onSubmit={submit} noValidate>
        <div className="dialog-body">
          <PasswordField
            label={target.purpose === 'new-password' ? 'New password' : 'Password'}
            value={draft.password}
            onChange={(password) => store.getState().updateVerifyDraft({ password })}
            inputRef={passwordRef}
          />
          <Argon2Picker
            value={draft.crypto}
            onChange={(crypto) => store.getState().updateVerifyDraft({ crypto })}
          />
          <div className="field">
            <label className="field-label" htmlFor={sampleId}>
              Records to check
            </label>
            <select
              id={sampleId}
              value={draft.sampleSize === null ? 'all' : String(draft.sampleSize)}
              onChange={(event) =>
                store.getState().updateVerifyDraft({
                  sampleSize: event.target.value === 'all' ? null : Number(event.target.value),
                })
              }
            >
              <option value={String(DEFAULT_VERIFY_SAMPLE)}>
                A random sample of {DEFAULT_VERIFY_SAMPLE}
              </option>
              <option value="200">A random sample of 200</option>
              <option value="all">Every record (slow on big vaults)</option>
            </select>
          </div>
          {running ? (
            <VerifyRunning progress={verify.progress} cancelling={verify.cancelling} />
          ) : null}
          <div aria-live="polite">
            {verify.status === 'done' ? <VerifyOutcome result={verify.result} /> : null}
            {verify.status === 'error' ? <ErrorNotice error={verify.error} /> : null}
          </div>
        </div>
        <div className="dialog-footer">
          <p className="dialog-footer-note">
            {verify.status === 'done' || running
              ? 'The password was cleared when the check started.'
              : ''}
          </p>
          {running ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={verify.cancelling}
              onClick={() => store.getState().cancelVerify()}
            >
              {verify.cancelling ? 'Cancelling…' : 'Cancel check'}
            </button>
          ) : null}
          <button type="button" className="button button-ghost" onClick={close}>
            Close
          </button>
          <button type="submit" className="button button-primary" disabled={!canVerify}>
            {running ? 'Checking…' : 'Verify'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
