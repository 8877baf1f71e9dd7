import { useState, type ReactNode } from 'react';
import { interpretResult, looksAlreadyRotated } from '../../../core/verdict.js';
import { vaultDriverText } from '../../../core/vault-drivers.js';
import {
  isDistributedResult,
  type IpcError,
  type RotationResult,
} from '../../../shared/ipc-contract.js';
import { describeChoice } from '../../lib/argon2-choices.js';
import { formatCount, formatDuration } from '../../lib/format.js';
import {
  backupText,
  buildReport,
  coverageText,
  reportFileName,
  type ReportFormat,
} from '../../lib/report.js';
import { useFocusOnMount } from '../../hooks/use-focus-on-mount.js';
import { useAppState, useStoreApi, useVaultAdmin } from '../../store/store-context.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { CheckIcon, DownloadIcon, SuccessIcon, WarningIcon } from '../widgets/Icons.js';
import { StatList } from '../widgets/StatList.js';
import { DistributedSummary } from './DistributedSummary.js';

/** How many failures the screen lists; the exported report has them all (up to 1000). */
const FAILURES_SHOWN = 8;

/** The shared verdict (core/verdict.ts); the screen has a success and a warning look. */
function headline(result: RotationResult): {
  title: string;
  text: string;
  tone: 'success' | 'warning';
} {
  const verdict = interpretResult(result);
  return {
    title: verdict.title,
    text: verdict.explanation,
    tone: verdict.tone === 'success' ? 'success' : 'warning',
  };
}

/** Which SQLite driver ran the rotation: sql.js means the native one did not load. */
function driverText(driver: RotationResult['driver']): string {
  if (driver !== undefined) {
    const text = vaultDriverText(driver);
    return text.fallback ? `${text.label}: the native driver did not load` : text.label;
  }
  return 'Not reported';
}

type ExportState =
  | { status: 'idle' }
  | { status: 'saving' }
  | { status: 'saved'; path: string }
  | { status: 'error'; error: IpcError };

export function ResultScreen(): ReactNode {
  const store = useStoreApi();
  const api = useVaultAdmin();
  const result = useAppState((state) => state.result);
  const job = useAppState((state) => state.job);
  const finishedAt = useAppState((state) => state.finishedAt);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [exportState, setExportState] = useState<ExportState>({ status: 'idle' });
  if (!result || !job) return null;

  const head = headline(result);
  const settings = job.settings;
  const canVerify =
    (result.status === 'completed' && !result.dryRun && result.rotated > 0) ||
    looksAlreadyRotated(result);

  const exportReport = async (format: ReportFormat): Promise<void> => {
    const when = finishedAt ?? new Date();
    setExportState({ status: 'saving' });
    const response = await api.exportReport({
      format,
      contents: buildReport(format, result, settings, when),
      suggestedName: reportFileName(format, settings, when),
    });
    if (!response.ok) setExportState({ status: 'error', error: response.error });
    else if (response.value === null) setExportState({ status: 'idle' });
    else setExportState({ status: 'saved', path: response.value });
  };

  return (
    <div className="screen result-screen">
      <header className={`card result-head result-${head.tone}`}>
        {head.tone === 'success' ? (
          <SuccessIcon className="result-icon" />
        ) : (
          <WarningIcon className="result-icon" />
        )}
        <div>
          <h1 ref={headingRef} tabIndex={-1} data-testid="result-title">
            {head.title}
          </h1>
          <p role="status">{head.text}</p>
        </div>
      </header>

      <StatList
        stats={[
          { id: 'scanned', label: 'Scanned', value: formatCount(result.scanned) },
          {
            id: 'rotated',
            label: result.dryRun ? 'Would rotate' : 'Rotated',
            value: formatCount(result.rotated),
            tone: 'good',
          },
          {
            id: 'skipped',
            label: 'Skipped',
            value: formatCount(result.skipped),
            hint: 'did not open: other password',
          },
          {
            id: 'failed',
            label: 'Failed',
            value: formatCount(result.failed),
            tone: result.failed > 0 ? 'bad' : 'default',
          },
          { id: 'duration', label: 'Duration', value: formatDuration(result.seconds * 1000) },
        ]}
      />

      <dl className="card facts">
        <div>
          <dt>Vault</dt>
          <dd className="path">{settings.vaultPath}</dd>
        </div>
        <div>
          <dt>Table</dt>
          <dd>{result.table}</dd>
        </div>
        <div>
          <dt>Backup</dt>
          <dd className={result.backupPath ? 'path' : undefined}>{backupText(result, settings)}</dd>
        </div>
        <div>
          <dt>Argon2id</dt>
          <dd>{describeChoice(settings.crypto)}</dd>
        </div>
        <div data-fact="sqlite-driver">
          <dt>SQLite driver</dt>
          <dd>{driverText(result.driver)}</dd>
        </div>
        {coverageText(result) ? (
          <div data-fact="coverage">
            <dt>Checked</dt>
            <dd>{coverageText(result)}</dd>
          </div>
        ) : null}
      </dl>

      {result.notes?.length ? (
        <section className="card" aria-labelledby="notes-title" data-testid="result-notes">
          <h2 id="notes-title" className="card-title">
            Notes
          </h2>
          <ul>
            {result.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {isDistributedResult(result) ? <DistributedSummary result={result} /> : null}

      {result.failures.length > 0 ? (
        <section className="card failures" aria-labelledby="failures-title">
          <h2 id="failures-title" className="card-title">
            {formatCount(result.failed)} records could not be rotated
          </h2>
          <p className="section-hint">
            They were left exactly as they were. “malformed” values cannot be a VaultStore value;
            “changed-concurrently” ones were modified by someone else during the rotation: rotate
            again to pick them up.
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Record id</th>
                <th scope="col">Reason</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {result.failures.slice(0, FAILURES_SHOWN).map((failure) => (
                <tr key={failure.id}>
                  <td className="mono">{failure.id}</td>
                  <td>{failure.reason}</td>
                  <td>{failure.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.failed > FAILURES_SHOWN ? (
            <p className="section-hint">
              …and {formatCount(result.failed - FAILURES_SHOWN)} more: export the report to see{' '}
              {result.failed > result.failures.length ? 'the first 1,000' : 'them all'}.
            </p>
          ) : null}
        </section>
      ) : null}

      <div className="actions">
        {canVerify ? (
          <button
            type="button"
            className="button button-primary"
            onClick={() =>
              store.getState().openVerify({ crypto: settings.crypto, purpose: 'new-password' })
            }
          >
            <CheckIcon />
            Verify with the new password…
          </button>
        ) : null}
        <button
          type="button"
          className="button button-secondary"
          disabled={exportState.status === 'saving'}
          onClick={() => void exportReport('json')}
        >
          <DownloadIcon />
          Export JSON
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={exportState.status === 'saving'}
          onClick={() => void exportReport('markdown')}
        >
          <DownloadIcon />
          Export Markdown
        </button>
        <button
          type="button"
          className={`button ${canVerify ? 'button-ghost' : 'button-primary'}`}
          onClick={() => store.getState().backToVault()}
        >
          Back to vault
        </button>
      </div>
      <div aria-live="polite">
        {exportState.status === 'saved' ? (
          <p className="saved-note">
            Report saved to <span className="path-inline">{exportState.path}</span>
          </p>
        ) : null}
        {exportState.status === 'error' ? (
          <ErrorNotice error={exportState.error} title="The report was not saved" />
        ) : null}
      </div>
    </div>
  );
}
