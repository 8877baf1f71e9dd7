import { useId, useRef, type FormEvent, type ReactNode } from 'react';
import { plural } from '../../lib/format.js';
import {
  draftValidity,
  type DraftValidity,
  type RotationDraft,
} from '../../store/rotation-state.js';
import {
  distributedValidity,
  selectOnServer,
  type DistributedValidity,
} from '../../store/distributed-state.js';
import { selectTableInfo, selectUnfinishedRotation } from '../../store/vault-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { Argon2Picker } from '../widgets/Argon2Picker.js';
import { Dialog } from './Dialog.js';
import { PasswordField } from '../widgets/PasswordField.js';
import { PasswordRules } from '../widgets/PasswordRules.js';
import { PolicyChecklist } from '../widgets/PolicyChecklist.js';
import { OptionCheckbox } from '../widgets/OptionCheckbox.js';
import { PreflightPanel } from '../widgets/PreflightPanel.js';
import { QueueOptions } from '../widgets/QueueOptions.js';
import { StrengthMeter } from '../widgets/StrengthMeter.js';

function footerHint(validity: DraftValidity, resume: boolean): string {
  if (!validity.tableChosen) return 'Choose a vault table first.';
  if (!validity.oldPasswordGiven) return 'Enter the current password.';
  if (!validity.policy.ok) return 'The new password must meet every rule above.';
  if (!validity.cryptoValid) return 'Fix the Argon2id settings.';
  if (validity.canScanAnyway)
    return 'The check opened no sampled record: fix the password or Argon2id settings, or rotate anyway.';
  if (validity.preflightRefused)
    return 'The check found no v2 record that opens: fix the password or Argon2id settings.';
  if (!resume)
    return 'Start checks the current password on a sample first, and rotates only if it passes. Passwords are cleared from this window once it has.';
  return 'Passwords are cleared from this window as soon as the job starts.';
}

/** While a Start's own check runs: the job has every input, so an edit stops it. */
const CHECKING_HINT =
  'Checking the current password on a sample: the rotation goes on when it passes. Nothing is written before; changing a field stops the check.';

/** The hint with "Use other machines too" on: the queue's problems first, then the usual ones. */
function distributedHint(validity: DistributedValidity, resume: boolean): string {
  if (validity.base.tableChosen && !validity.queueValid) return 'Fix the Redis queue above.';
  if (validity.blockedBy)
    return 'A distributed rotation of this table is unfinished: resume or cancel it first.';
  // No "rotate anyway" across machines.
  if (validity.base.preflightRefused)
    return 'The check opened no sampled record: fix the password or Argon2id settings.';
  if (validity.base.canStart && !validity.checkPassed)
    return 'Start checks the queue and the ledger, then the current password on a sample; it rotates only if both pass.';
  return footerHint(validity.base, resume);
}

function startLabel(draft: RotationDraft): string {
  if (draft.dryRun) return 'Start dry run';
  return draft.resume ? 'Resume rotation' : 'Start rotation';
}

/** Passwords, Argon2id settings and options; Start stays disabled until all of it is valid. */
export function RotateDialog(): ReactNode {
  const store = useStoreApi();
  const draft = useAppState((state) => state.draft);
  const tableChosen = useAppState((state) => state.vault !== null && state.selectedTable !== null);
  const configuring = useAppState((state) => state.rotationStatus === 'configuring');
  const checking = useAppState((state) => state.rotationStatus === 'checking');
  const fileName = useAppState((state) => state.vault?.fileName ?? '');
  const table = useAppState(selectTableInfo);
  const preflight = useAppState((state) => state.preflight);
  const unfinished = useAppState(selectUnfinishedRotation);
  const firstField = useRef<HTMLInputElement>(null);
  const policyId = useId();
  const strengthId = useId();

  const onServer = useAppState(selectOnServer);
  const distributing = useAppState((state) => state.queueForm.use) && onServer;
  // Re-rendered on the check's answer and the queue's edits: both change the Start button.
  const distributed = useAppState((state) =>
    distributing ? distributedValidity(state).canSubmit : false,
  );
  const distributedHintText = useAppState((state) =>
    distributing ? distributedHint(distributedValidity(state), state.draft.resume) : '',
  );
  const validity = draftValidity(draft, tableChosen, configuring, preflight);
  const canStart = distributing ? distributed : validity.canStart;
  const update = (patch: Partial<RotationDraft>): void => store.getState().updateDraft(patch);
  const close = (): void => store.getState().closeRotateDialog();
  // Start and Enter alike: never a rotation whose check was skipped or refused (the store decides).
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void store.getState().submitRotateDialog();
  };
  const newTouched = draft.newPassword.length > 0;
  const confirmTouched = draft.confirmPassword.length > 0;

  return (
    <Dialog
      title={draft.resume ? 'Resume interrupted rotation' : 'Rotate password'}
      subtitle={
        <>
          {fileName} · table <strong>{table?.name}</strong>
          {table ? ` · ${plural(table.records, 'record')}` : ''}
        </>
      }
      onClose={close}
      size="large"
      initialFocus={firstField}
    >
      <form className="dialog-form" onSubmit={submit} noValidate>
        <div className="dialog-body rotate-body">
          <div className="rotate-notices">
            {draft.resume ? (
              <p className="notice notice-info notice-compact">
                Enter the same passwords and settings as the interrupted run: records it already
                rotated are kept, the rest are continued. Passwords are never stored, so they are
                asked again; the app checks they are the interrupted run's before it writes
                anything.
                {unfinished
                  ? ' Its Argon2id settings and soft-deleted choice are filled in from the run’s checkpoint.'
                  : null}
              </p>
            ) : null}
            {draft.restart ? (
              <p className="notice notice-warning notice-compact">
                The interrupted rotation will be discarded and a new one started. Records it already
                rotated open with its new password and are left as they are.
              </p>
            ) : null}
            <p className="notice notice-info notice-compact">
              Stop the application that uses this vault first (or switch it to the new password):
              records it writes with the current password during the rotation are swept up at the
              end, but if it keeps writing, the rotation cannot finish.
            </p>
          </div>
          {/* The Argon2id settings come first: they decide whether anything opens, and a
              narrow window shows them first (styles/app/dialogs.css places them on wide ones). */}
          <div className="rotate-grid">
            <fieldset className="panel rotate-crypto">
              <legend className="section-title">Encryption</legend>
              {draft.newCrypto ? (
                <>
                  <p className="field-hint">
                    The interrupted rotation wrote its new values with other Argon2id settings than
                    the ones that open the current values; a resume keeps both.
                  </p>
                  <fieldset className="argon2-group">
                    <legend className="field-label">Current values</legend>
                    <Argon2Picker value={draft.crypto} onChange={(crypto) => update({ crypto })} />
                  </fieldset>
                  <fieldset className="argon2-group">
                    <legend className="field-label">New values</legend>
                    <Argon2Picker
                      value={draft.newCrypto}
                      onChange={(newCrypto) => update({ newCrypto })}
                    />
                  </fieldset>
                </>
              ) : (
                <Argon2Picker value={draft.crypto} onChange={(crypto) => update({ crypto })} />
              )}
            </fieldset>
            <fieldset className="panel rotate-passwords">
              <legend className="section-title">Passwords</legend>
              <PasswordField
                label="Current password"
                value={draft.oldPassword}
                onChange={(oldPassword) => update({ oldPassword })}
                inputRef={firstField}
              />
              <PreflightPanel canCheck={validity.canPreflight} />
              <PasswordField
                label="New password"
                value={draft.newPassword}
                onChange={(newPassword) => update({ newPassword })}
                invalid={
                  newTouched &&
                  validity.policy.checks.some((check) => check.id !== 'confirmed' && !check.ok)
                }
                describedBy={`${strengthId} ${policyId}`}
              />
              <StrengthMeter password={draft.newPassword} id={strengthId} />
              <PasswordField
                label="Confirm new password"
                value={draft.confirmPassword}
                onChange={(confirmPassword) => update({ confirmPassword })}
                invalid={confirmTouched && draft.confirmPassword !== draft.newPassword}
              />
              <PolicyChecklist policy={validity.policy} id={policyId} />
              <PasswordRules
                rules={draft.passwordRules}
                onChange={(passwordRules) => update({ passwordRules })}
              />
            </fieldset>
            <fieldset className="panel rotate-options">
              <legend className="section-title">Options</legend>
              <OptionCheckbox
                label="Include soft-deleted records"
                hint="The Go library skips them, which would leave the old password working on them."
                checked={draft.includeSoftDeleted}
                onChange={(includeSoftDeleted) => update({ includeSoftDeleted })}
              />
              <OptionCheckbox
                label="Back up the vault first"
                hint={
                  distributing
                    ? 'A copy of the table is saved in the app’s data folder before the first write (not when resuming a rotation that has written).'
                    : 'A consistent copy is saved next to the vault before the first write.'
                }
                checked={draft.backup}
                onChange={(backup) => update({ backup })}
              />
              <OptionCheckbox
                label="Dry run"
                hint={
                  distributing
                    ? 'Not with other machines: a dry run counts on this machine only.'
                    : 'Count what would be rotated; write nothing.'
                }
                checked={draft.dryRun && !distributing}
                disabled={distributing}
                onChange={(dryRun) => update({ dryRun })}
              />
            </fieldset>
            {onServer ? <QueueOptions /> : null}
          </div>
        </div>
        <div className="dialog-footer">
          <p className="dialog-footer-note">
            {checking
              ? CHECKING_HINT
              : distributing
                ? distributedHintText
                : footerHint(validity, draft.resume)}
          </p>
          <button type="button" className="button button-ghost" onClick={close}>
            Cancel
          </button>
          {/* After a refused check, Start is no longer the action the dialog leads to. */}
          <button
            type="submit"
            className={`button ${validity.preflightRefused ? 'button-secondary' : 'button-primary'}`}
            disabled={!canStart}
          >
            {checking ? 'Checking…' : startLabel(draft)}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
