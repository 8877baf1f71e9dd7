import { useId, type ReactNode } from 'react';
import type { DistributedStatus } from '../../../shared/ipc-contract.js';
import { formatCount } from '../../lib/format.js';
import { queueFormProblems, sameQueue } from '../../lib/queue-form.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { CaFileField } from './CaFileField.js';
import { ErrorNotice } from './ErrorNotice.js';
import { OptionCheckbox } from './OptionCheckbox.js';
import { PasswordField } from './PasswordField.js';
import { TextField } from './TextField.js';

/** "12 of 40 shards done, 2,990 records rotated." */
export function unfinishedProgress(status: DistributedStatus): string {
  return `${formatCount(status.shardsDone)} of ${formatCount(status.shards)} shards done, ${formatCount(status.counts.rotated)} records rotated.`;
}

/** "A distributed rotation of this table is still running: 12 of 40 shards done, …" */
export function unfinishedText(status: DistributedStatus): string {
  const how = status.state === 'running' ? 'is still running' : 'was cancelled';
  return `A distributed rotation of this table ${how}: ${unfinishedProgress(status)}`;
}

function CheckOutcome(): ReactNode {
  const check = useAppState((state) => state.distributedCheck);
  const resume = useAppState((state) => state.draft.resume);
  if (check.status === 'running') {
    return <p className="field-hint">Checking the queue and the ledger…</p>;
  }
  if (check.status === 'error') {
    return <ErrorNotice error={check.error} title="The queue or the ledger is not ready" />;
  }
  if (check.status !== 'done') return null;
  const found = check.result.unfinished;
  if (found && !resume) {
    return (
      <p className="notice notice-warning notice-compact" data-testid="queue-blocked">
        {unfinishedText(found)} Close this dialog and resume or cancel it first.
      </p>
    );
  }
  return (
    <p className="field-hint" data-testid="queue-check-passed">
      Redis answered;{' '}
      {check.result.ledger === 'exists'
        ? 'the ledger tables are there'
        : 'this login may create the ledger tables'}
      {check.result.unfinished ? '; the unfinished rotation will be resumed.' : '.'}
    </p>
  );
}

/** The rotate dialog's "Use other machines too" (server vaults only). */
export function QueueOptions(): ReactNode {
  const store = useStoreApi();
  const form = useAppState((state) => state.queueForm);
  const recent = useAppState((state) => state.recentQueues);
  const recentId = useId();
  const problems = queueFormProblems(form);
  const update = store.getState().updateQueueForm;
  const chosen = recent.findIndex((queue) => sameQueue(form, queue));
  const tls = form.url.trim().startsWith('rediss:');

  return (
    <fieldset className="panel rotate-queue">
      <legend className="section-title">Other machines</legend>
      <OptionCheckbox
        label="Use other machines too"
        hint="Workers on other machines take shards of the table from a Redis queue; you add them once the rotation runs. Passwords stay on this machine and on the workers you start."
        checked={form.use}
        onChange={(use) => update({ use })}
      />
      {form.use ? (
        <div className="queue-fields">
          {recent.length > 0 ? (
            <div className="field">
              <label className="field-label" htmlFor={recentId}>
                Recent queues
              </label>
              <select
                id={recentId}
                value={chosen < 0 ? '' : String(chosen)}
                onChange={(event) => {
                  const queue = recent[Number(event.target.value)];
                  if (queue) store.getState().useRecentQueue(queue);
                }}
              >
                <option value="">Choose…</option>
                {recent.map((queue, index) => (
                  <option key={`${queue.url} ${queue.caFile ?? ''}`} value={String(index)}>
                    {queue.url}
                    {queue.caFile ? ` (CA ${queue.caFile})` : ''}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <TextField
            prefix="queue"
            field="url"
            label="Redis queue URL"
            placeholder="redis://queue.internal:6379/0"
            inputMode="url"
            value={form.url}
            problem={problems.url}
            onChange={(url) => update({ url })}
          />
          {tls || form.caFile !== '' ? (
            <CaFileField
              prefix="queue"
              value={form.caFile}
              problem={problems.caFile}
              onChange={(caFile) => update({ caFile })}
              onChoose={() => void store.getState().chooseQueueCaFile()}
            />
          ) : null}
          <PasswordField
            label="Redis password"
            value={form.password}
            onChange={(password) => update({ password })}
            hint={
              problems.password ??
              'Empty when Redis asks for none. Never stored: typed again for each rotation.'
            }
            invalid={problems.password !== undefined}
          />
          <OptionCheckbox
            label="This machine works too"
            hint="Off: this machine only coordinates and its CPUs stay free."
            checked={form.workHere}
            onChange={(workHere) => update({ workHere })}
          />
          <div aria-live="polite">
            <CheckOutcome />
          </div>
        </div>
      ) : null}
    </fieldset>
  );
}
