import { useRef, type ReactNode } from 'react';
import {
  isDistributedResult,
  type RotationProgress,
  type RotationResult,
} from '../../../shared/ipc-contract.js';
import {
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  plural,
} from '../../lib/format.js';
import { useFocusOnMount } from '../../hooks/use-focus-on-mount.js';
import { useThrottledState } from '../../hooks/use-throttled-state.js';
import {
  selectProgress,
  selectRateHistory,
  type RotationStatus,
} from '../../store/rotation-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { Dialog } from '../dialogs/Dialog.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { PauseIcon } from '../widgets/Icons.js';
import { JobSettingsList } from '../widgets/JobSettingsList.js';
import { RateChart } from '../widgets/RateChart.js';
import { StatList } from '../widgets/StatList.js';
import { AddWorkersPanel } from './AddWorkersPanel.js';
import { DistributedProgress } from './DistributedProgress.js';

const PHASES: Record<RotationProgress['phase'], string> = {
  validating: 'Checking the vault',
  'backing-up': 'Backing up the vault',
  rotating: 'Re-encrypting records',
  finishing: 'Finishing',
  done: 'Done',
  cancelled: 'Cancelled',
  failed: 'Stopped',
};

function heading(status: RotationStatus, dryRun: boolean): string {
  switch (status) {
    case 'starting':
    case 'checking':
      return 'Starting…';
    case 'cancelling':
      return 'Cancelling…';
    case 'cancelled':
      return 'Rotation cancelled';
    case 'error':
      return 'Rotation stopped';
    case 'running':
    case 'idle':
    case 'configuring':
    case 'completed':
    case 'nothing-opened':
    case 'incomplete':
      return dryRun ? 'Dry run in progress' : 'Rotating password';
  }
}

function ProgressMeter({
  progress,
  status,
}: {
  progress: RotationProgress | null;
  status: RotationStatus;
}): ReactNode {
  const total = progress?.total ?? 0;
  const scanned = progress?.scanned ?? 0;
  const known = progress !== null && total > 0;
  const phase =
    status === 'cancelling'
      ? 'Stopping after the records in flight'
      : progress
        ? PHASES[progress.phase]
        : 'Preparing';
  return (
    <div className="meter">
      <div className="meter-head">
        <span className="meter-phase" data-testid="phase">
          {phase}
        </span>
        <span className="meter-percent">{known ? formatPercent(scanned, total) : ''}</span>
      </div>
      {known ? (
        <progress max={total} value={scanned} aria-label="Records scanned" />
      ) : (
        <progress aria-label="Records scanned" />
      )}
      <p className="meter-caption" data-testid="scanned">
        {known
          ? `${formatCount(scanned)} of ${formatCount(total)} records scanned`
          : 'Waiting for the first records…'}
      </p>
    </div>
  );
}

function LiveStats({ progress }: { progress: RotationProgress | null }): ReactNode {
  const p = progress;
  return (
    <StatList
      className="stats-compact"
      stats={[
        { id: 'rotated', label: 'Rotated', value: formatCount(p?.rotated ?? 0), tone: 'good' },
        {
          id: 'skipped',
          label: 'Skipped',
          value: formatCount(p?.skipped ?? 0),
          hint: 'did not open: other password',
        },
        {
          id: 'failed',
          label: 'Failed',
          value: formatCount(p?.failed ?? 0),
          tone: (p?.failed ?? 0) > 0 ? 'bad' : 'default',
        },
        { id: 'rate', label: 'Rate', value: p ? formatRate(p.ratePerSecond) : '–' },
        { id: 'elapsed', label: 'Elapsed', value: p ? formatDuration(p.elapsedMs) : '–' },
        {
          id: 'eta',
          label: 'Time left',
          value: p && p.etaMs !== null ? `about ${formatDuration(p.etaMs)}` : '–',
        },
      ]}
    />
  );
}

/** A coarse spoken summary: every 10 % and on phase changes, not every event. */
function LiveAnnouncement({
  progress,
  status,
  dryRun,
}: {
  progress: RotationProgress | null;
  status: RotationStatus;
  dryRun: boolean;
}): ReactNode {
  const decile =
    progress && progress.total > 0 ? Math.floor((progress.scanned / progress.total) * 10) * 10 : 0;
  const text =
    status === 'running' && progress
      ? `${PHASES[progress.phase]}: ${decile}% scanned.`
      : heading(status, dryRun);
  return (
    <p className="visually-hidden" aria-live="polite">
      {text}
    </p>
  );
}

function CancelledSummary({
  result,
  dryRun,
}: {
  result: RotationResult;
  dryRun: boolean;
}): ReactNode {
  const store = useStoreApi();
  // A distributed rotation resumes from the ledger, a single-machine one from its checkpoint.
  const distributed = isDistributedResult(result);
  const resumable = distributed || result.checkpointPath !== null;
  return (
    <section
      className="card summary"
      aria-labelledby="partial-title"
      data-testid="cancelled-summary"
    >
      <div className="summary-head">
        <PauseIcon className="summary-icon summary-icon-warn" />
        <div>
          <h2 id="partial-title" className="card-title">
            What was done
          </h2>
          <p className="section-hint">
            {dryRun
              ? 'This was a dry run: nothing was written.'
              : `${plural(result.rotated, 'record')} already use${result.rotated === 1 ? 's' : ''} the new password; the rest still open with the current one.`}
          </p>
        </div>
      </div>
      <StatList
        className="stats-compact"
        stats={[
          { id: 'scanned', label: 'Scanned', value: formatCount(result.scanned) },
          { id: 'rotated', label: 'Rotated', value: formatCount(result.rotated), tone: 'good' },
          { id: 'skipped', label: 'Skipped', value: formatCount(result.skipped) },
          {
            id: 'failed',
            label: 'Failed',
            value: formatCount(result.failed),
            tone: result.failed > 0 ? 'bad' : 'default',
          },
          { id: 'duration', label: 'Duration', value: formatDuration(result.seconds * 1000) },
        ]}
      />
      {resumable ? (
        <div className="resume-help">
          <h3 className="section-title">How to finish</h3>
          <p>
            Resume continues where this run stopped and skips records already rotated. Enter the
            same current and new passwords: they are never stored, so you will be asked again.
            {result.backupPath ? (
              <>
                {' '}
                The backup made before the first write is at{' '}
                <code className="path-inline">{result.backupPath}</code>.
              </>
            ) : null}
          </p>
        </div>
      ) : null}
      <div className="actions">
        {resumable ? (
          <button
            type="button"
            className="button button-primary"
            onClick={() => store.getState().openRotateDialog({ resume: true, distributed })}
          >
            Resume…
          </button>
        ) : null}
        <button
          type="button"
          className="button button-secondary"
          onClick={() => store.getState().backToVault()}
        >
          Back to vault
        </button>
      </div>
    </section>
  );
}

function CancelConfirm({ distributed }: { distributed: boolean }): ReactNode {
  const store = useStoreApi();
  const keepRef = useRef<HTMLButtonElement>(null);
  return (
    <Dialog
      title="Cancel the rotation?"
      role="alertdialog"
      size="small"
      closeButton={false}
      initialFocus={keepRef}
      onClose={() => store.getState().dismissCancel()}
      subtitle={
        distributed
          ? 'Every worker stops after its batch in flight. Records rotated so far keep the new password; the others keep the current one. You can resume later with both passwords.'
          : 'Records rotated so far keep the new password; the others keep the current one. You can resume later with both passwords.'
      }
    >
      <div className="dialog-footer">
        <button
          ref={keepRef}
          type="button"
          className="button button-ghost"
          onClick={() => store.getState().dismissCancel()}
        >
          Keep rotating
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => void store.getState().confirmCancel()}
        >
          Cancel rotation
        </button>
      </div>
    </Dialog>
  );
}

export function ProgressScreen(): ReactNode {
  const store = useStoreApi();
  const status = useAppState((state) => state.rotationStatus);
  const job = useAppState((state) => state.job);
  const result = useAppState((state) => state.result);
  const error = useAppState((state) => state.rotationError);
  const notice = useAppState((state) => state.rotationNotice);
  const confirming = useAppState((state) => state.cancelConfirmOpen);
  const fileName = useAppState((state) => state.vault?.fileName ?? '');
  // Rendered at most every 100 ms, however fast events arrive.
  const progress = useThrottledState(selectProgress);
  // The chart moves slowly: redrawn at most once a second.
  const rates = useThrottledState(selectRateHistory, 1000);
  const distributed = job?.settings.distributed !== undefined;
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const dryRun = job?.settings.dryRun ?? false;
  const active = status === 'starting' || status === 'running' || status === 'cancelling';

  return (
    <div className="screen progress-screen">
      <header className="screen-header">
        <h1 ref={headingRef} tabIndex={-1}>
          {heading(status, dryRun)}
        </h1>
        <p className="screen-subtitle">
          {fileName} · table <strong>{job?.settings.table}</strong>
          {job?.settings.resume ? ' · resumed' : ''}
        </p>
      </header>

      {status === 'error' && error ? (
        <ErrorNotice
          error={error}
          actions={
            <>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => store.getState().backToVault()}
              >
                Back to vault
              </button>
            </>
          }
        />
      ) : null}
      {notice ? <ErrorNotice error={notice} tone="warning" /> : null}

      {status !== 'error' ? (
        <section
          className={`card progress-card${status === 'cancelling' || status === 'cancelled' ? ' is-stopped' : ''}`}
          aria-label="Progress"
        >
          {distributed ? (
            <DistributedProgress status={status} />
          ) : (
            <>
              <ProgressMeter progress={progress} status={status} />
              {status !== 'cancelled' ? <LiveStats progress={progress} /> : null}
              <LiveAnnouncement progress={progress} status={status} dryRun={dryRun} />
              {status !== 'cancelled' ? <RateChart history={rates} /> : null}
            </>
          )}
          {active ? (
            <div className="progress-actions">
              <p className="section-hint">
                {status === 'cancelling'
                  ? distributed
                    ? 'Every worker finishes its batch in flight, then stops…'
                    : 'Finishing the records in flight, then saving a checkpoint…'
                  : distributed
                    ? 'Cancel stops every worker: committed batches stay, and the rotation can be resumed.'
                    : 'You can cancel at any time: the vault stays consistent and the rotation can be resumed.'}
              </p>
              <button
                type="button"
                className="button button-danger-outline"
                disabled={status === 'cancelling'}
                onClick={() => store.getState().requestCancel()}
              >
                {status === 'cancelling' ? 'Cancelling…' : 'Cancel…'}
              </button>
            </div>
          ) : null}
        </section>
      ) : null}

      {distributed && (status === 'starting' || status === 'running') ? <AddWorkersPanel /> : null}
      {status === 'cancelled' && result ? (
        <CancelledSummary result={result} dryRun={dryRun} />
      ) : null}
      {job && status !== 'cancelled' ? <JobSettingsList settings={job.settings} /> : null}
      {confirming && active ? <CancelConfirm distributed={distributed} /> : null}
    </div>
  );
}
