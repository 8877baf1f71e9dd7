import { useEffect, useRef, type ReactNode } from 'react';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PauseIcon } from './Icons.js';
import { unfinishedProgress } from './QueueOptions.js';

/**
 * Re-attach: the selected server table has a distributed rotation the ledger
 * says is running (its coordinator may be gone: this app closed) or was
 * cancelled. Resume continues it from the ledger; Cancel stops every worker.
 */
export function DistributedBanner(): ReactNode {
  const store = useStoreApi();
  const status = useAppState((state) => state.tableRotation);
  const cancelling = useAppState((state) => state.tableRotationCancelling);
  const error = useAppState((state) => state.tableRotationError);
  const resumeRef = useRef<HTMLButtonElement>(null);
  const state = status?.state;
  // The Cancel button goes once the rotation is cancelled: its focus moves to Resume, not to the page.
  useEffect(() => {
    if (state === 'cancelled' && document.activeElement === document.body)
      resumeRef.current?.focus();
  }, [state]);
  if (!status && !error) return null;
  return (
    <div className="notice notice-warning" role="status" data-testid="distributed-banner">
      <PauseIcon className="notice-icon" />
      <div className="notice-body">
        {status ? (
          <>
            <p className="notice-title">
              {status.state === 'running'
                ? 'A distributed rotation of this table is running'
                : 'A distributed rotation of this table was cancelled'}
            </p>
            <p className="notice-text">{unfinishedProgress(status)}</p>
            <p className="notice-text">
              Resume it with the same passwords: shards already done are kept, and workers still
              running pick up the rest.
            </p>
            <div className="notice-actions">
              <button
                ref={resumeRef}
                type="button"
                className="button button-secondary"
                onClick={() =>
                  store.getState().openRotateDialog({ resume: true, distributed: true })
                }
              >
                Resume…
              </button>
              {status.state === 'running' ? (
                <button
                  type="button"
                  className="button button-danger-outline"
                  disabled={cancelling}
                  onClick={() => void store.getState().cancelTableRotation()}
                >
                  {cancelling ? 'Cancelling…' : 'Cancel it on every worker'}
                </button>
              ) : null}
            </div>
          </>
        ) : null}
        {error ? <ErrorNotice error={error} title="The ledger could not be read" /> : null}
      </div>
    </div>
  );
}
