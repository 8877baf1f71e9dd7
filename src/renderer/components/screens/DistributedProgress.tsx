import type { ReactNode } from 'react';
import type { DistributedProgress as Progress } from '../../../shared/ipc-contract.js';
import {
  etaMs,
  shardTally,
  totalRate,
  workerViews,
  type WorkerView,
} from '../../lib/distributed-view.js';
import {
  formatCount,
  formatDuration,
  formatPercent,
  formatRate,
  plural,
} from '../../lib/format.js';
import type { RotationStatus } from '../../store/rotation-state.js';
import { useAppState } from '../../store/store-context.js';
import { RateChart } from '../widgets/RateChart.js';
import { StatList } from '../widgets/StatList.js';

function phaseText(progress: Progress | null, status: RotationStatus): string {
  if (status === 'cancelling') return 'Stopping every worker after its batch in flight';
  if (!progress) return 'Planning the shards';
  switch (progress.phase) {
    case 'planning':
      return 'Planning the shards';
    case 'pass':
      return 'Re-encrypting records';
    case 'sweep':
      return `Sweep round ${progress.round}: re-examining what was written meanwhile`;
    case 'finishing':
      return 'Checking that every record was covered';
  }
}

/** Worker labels for the chart: the host, or the worker id where one host runs several. */
function labeller(views: readonly WorkerView[]): (id: string) => string {
  const hosts = new Map<string, number>();
  for (const view of views) hosts.set(view.host, (hosts.get(view.host) ?? 0) + 1);
  const byId = new Map(views.map((view) => [view.id, view]));
  return (id) => {
    const view = byId.get(id);
    return view && hosts.get(view.host) === 1 ? view.host : id;
  };
}

function WorkersTable({
  views,
  labelOf,
}: {
  views: readonly WorkerView[];
  labelOf(id: string): string;
}): ReactNode {
  if (views.length === 0) {
    return (
      <p className="section-hint" data-testid="no-workers">
        No worker has joined yet. Start one with “Add workers” below
        {' (or let this machine work, if you chose it).'}
      </p>
    );
  }
  return (
    <table className="workers-table" data-testid="workers-table">
      <caption className="visually-hidden">Workers</caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col" className="num">
            Pool
          </th>
          <th scope="col">Argon2id</th>
          <th scope="col">State</th>
          <th scope="col" className="num">
            Records/s
          </th>
          <th scope="col" className="num">
            Records
          </th>
          <th scope="col" className="num">
            Shard
          </th>
        </tr>
      </thead>
      <tbody>
        {views.map((view) => (
          <tr key={view.id} data-worker={view.id}>
            <th scope="row" title={view.id}>
              {labelOf(view.id)}
            </th>
            <td className="num">{view.pool}</td>
            <td>
              {view.wasm ? (
                <span className="badge badge-warn" title="The native Argon2id did not load there">
                  {view.backend}: slower
                </span>
              ) : (
                view.backend
              )}
            </td>
            <td className={`worker-state-${view.look}`} data-testid="worker-state">
              {view.stateText}
            </td>
            <td className="num">{view.look === 'working' ? formatRate(view.rate) : '–'}</td>
            <td className="num">{formatCount(view.records)}</td>
            <td className="num">{view.shard === null ? '–' : view.shard}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The whole rotation as the ledger reads it: one bar, rate and time left, shards, workers, chart. */
export function DistributedProgress({ status }: { status: RotationStatus }): ReactNode {
  const progress = useAppState((state) => state.distributedProgress);
  const atMs = useAppState((state) => state.progressAtMs);
  const firstMs = useAppState((state) => state.firstProgressAtMs);
  const history = useAppState((state) => state.rateHistory);
  const views = progress && atMs !== null ? workerViews(progress.workers, atMs) : [];
  const rate = totalRate(views);
  const eta = progress ? etaMs(progress, rate) : null;
  const tally = progress ? shardTally(progress, views) : null;
  const known = progress !== null && progress.total > 0;
  const decile = known ? Math.floor((progress.scanned / progress.total) * 10) * 10 : 0;
  const lost = views.filter((view) => view.look === 'lost').length;
  // The table and the chart name a worker alike: its host, or its id where a host runs several.
  const labelOf = labeller(views);

  return (
    <>
      <div className="meter">
        <div className="meter-head">
          <span className="meter-phase" data-testid="phase">
            {phaseText(progress, status)}
          </span>
          <span className="meter-percent">
            {known ? formatPercent(progress.scanned, progress.total) : ''}
          </span>
        </div>
        {known ? (
          <progress max={progress.total} value={progress.scanned} aria-label="Records scanned" />
        ) : (
          <progress aria-label="Records scanned" />
        )}
        <p className="meter-caption" data-testid="scanned">
          {known
            ? `${formatCount(progress.scanned)} of ${formatCount(progress.total)} records scanned`
            : 'Waiting for the first reading of the ledger…'}
        </p>
      </div>
      <StatList
        className="stats-compact"
        stats={[
          {
            id: 'rotated',
            label: 'Rotated',
            value: formatCount(progress?.rotated ?? 0),
            tone: 'good',
          },
          { id: 'failed', label: 'Failed', value: formatCount(progress?.failed ?? 0) },
          { id: 'rate', label: 'Rate', value: progress ? formatRate(rate) : '–' },
          {
            id: 'elapsed',
            label: 'Elapsed',
            value: atMs !== null && firstMs !== null ? formatDuration(atMs - firstMs) : '–',
          },
          {
            id: 'eta',
            label: 'Time left',
            value: eta === null ? '–' : `about ${formatDuration(eta)}`,
          },
        ]}
      />
      {tally ? (
        <dl className="shard-tally" data-testid="shard-tally">
          <div>
            <dt>Shards done</dt>
            <dd>{formatCount(tally.done)}</dd>
          </div>
          <div>
            <dt>Active</dt>
            <dd>{formatCount(tally.active)}</dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd>{formatCount(tally.pending)}</dd>
          </div>
        </dl>
      ) : null}
      <p className="visually-hidden" aria-live="polite">
        {progress
          ? `${phaseText(progress, status)}: ${decile}% scanned, ${plural(
              views.filter((view) => view.look === 'working').length,
              'worker',
            )} working${lost > 0 ? `, ${plural(lost, 'worker')} lost` : ''}.`
          : 'Starting the distributed rotation.'}
      </p>
      {progress && progress.failing.length > 0 ? (
        <p className="notice notice-warning notice-compact" data-testid="failing-shards">
          {plural(progress.failing.length, 'shard')} failed on the last try and{' '}
          {progress.failing.length === 1 ? 'is' : 'are'} retried by the queue:{' '}
          {progress.failing
            .slice(0, 5)
            .map((failure) => `shard ${failure.shard} (${failure.code})`)
            .join(', ')}
          {progress.failing.length > 5 ? ', …' : ''}.
        </p>
      ) : null}
      <section aria-labelledby="workers-title" className="workers">
        <h2 id="workers-title" className="section-title">
          Workers
        </h2>
        <WorkersTable views={views} labelOf={labelOf} />
      </section>
      <RateChart history={history} labelOf={labelOf} />
    </>
  );
}
