import { useEffect, useState, type ReactNode } from 'react';
import type { AuditEntry, IpcError } from '../../../shared/ipc-contract.js';
import { fileNameOf, formatCount, plural } from '../../lib/format.js';
import { useVaultAdmin } from '../../store/store-context.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { Dialog } from './Dialog.js';

const OUTCOME_TEXT: Record<AuditEntry['outcome'], string> = {
  completed: 'Completed',
  cancelled: 'Cancelled',
  incomplete: 'Incomplete',
  'nothing-opened': 'Nothing opened',
  error: 'Failed',
};

function outcomeText(entry: AuditEntry): string {
  const text = OUTCOME_TEXT[entry.outcome] ?? entry.outcome;
  if (entry.distributed) {
    const machines = new Set(entry.distributed.workers.map((worker) => worker.host)).size;
    return `${text}, ${plural(machines, 'machine')}`;
  }
  return entry.dryRun ? `${text} (dry run)` : text;
}

type Loaded = { status: 'loading' } | { status: 'ok'; entries: AuditEntry[] } | IpcErrorState;
type IpcErrorState = { status: 'error'; error: IpcError };

/** The local audit log of rotations (main keeps it in the data folder); read-only. */
export function AuditLogDialog({ onClose }: { onClose(): void }): ReactNode {
  const api = useVaultAdmin();
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    void api.auditLog().then((answer) => {
      if (!live) return;
      setLoaded(
        answer.ok
          ? { status: 'ok', entries: answer.value }
          : { status: 'error', error: answer.error },
      );
    });
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <Dialog
      title="Rotation history"
      subtitle="Every rotation run from this app (the command-line tool keeps none): when, which vault and table, the counts and the result. Never a password."
      onClose={onClose}
      size="large"
    >
      <div className="dialog-body">
        {loaded.status === 'loading' ? <p className="empty">Reading the log…</p> : null}
        {loaded.status === 'error' ? <ErrorNotice error={loaded.error} /> : null}
        {loaded.status === 'ok' && loaded.entries.length === 0 ? (
          <p className="empty">No rotation has been run from this app yet.</p>
        ) : null}
        {loaded.status === 'ok' && loaded.entries.length > 0 ? (
          <div className="audit-scroll">
            <table className="audit-table" data-testid="audit-log">
              <caption className="visually-hidden">Rotations, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Finished</th>
                  <th scope="col">Vault</th>
                  <th scope="col">Table</th>
                  <th scope="col">Result</th>
                  <th scope="col" className="numeric">
                    Rotated
                  </th>
                  <th scope="col" className="numeric">
                    Skipped
                  </th>
                  <th scope="col" className="numeric">
                    Failed
                  </th>
                </tr>
              </thead>
              <tbody>
                {loaded.entries.map((entry, index) => (
                  // A read-only list that never reorders: its position is its identity.
                  <tr key={index}>
                    <td>{new Date(entry.finishedAt).toLocaleString()}</td>
                    <td title={entry.vault}>{fileNameOf(entry.vault)}</td>
                    <td>{entry.table}</td>
                    <td title={entry.error?.message ?? entry.distributed?.queue}>
                      {outcomeText(entry)}
                    </td>
                    <td className="numeric">
                      {entry.counts ? formatCount(entry.counts.rotated) : '–'}
                    </td>
                    <td className="numeric">
                      {entry.counts ? formatCount(entry.counts.skipped) : '–'}
                    </td>
                    <td className="numeric">
                      {entry.counts ? formatCount(entry.counts.failed) : '–'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
      <div className="dialog-footer">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
