import type { ReactNode } from 'react';
import type { DistributedResult } from '../../../shared/ipc-contract.js';
import { unionProofText, workerTotals } from '../../lib/distributed-report.js';
import { formatCount } from '../../lib/format.js';

/** The result of a distributed rotation: the coverage proof in words and each worker's totals. */
export function DistributedSummary({ result }: { result: DistributedResult }): ReactNode {
  const totals = workerTotals(result.distributed.workers);
  return (
    <section className="card" aria-labelledby="distributed-title" data-testid="distributed-summary">
      <h2 id="distributed-title" className="card-title">
        Across machines
      </h2>
      <p data-testid="union-proof">{unionProofText(result)}</p>
      {totals.length > 0 ? (
        <table className="workers-table">
          <caption className="visually-hidden">Records each worker rotated or examined</caption>
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Worker</th>
              <th scope="col" className="num">
                Pool
              </th>
              <th scope="col">Argon2id</th>
              <th scope="col" className="num">
                Records
              </th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {totals.map((worker) => (
              <tr key={worker.worker}>
                <th scope="row">{worker.host}</th>
                <td className="mono">{worker.worker}</td>
                <td className="num">{worker.pool}</td>
                <td>{worker.backend}</td>
                <td className="num">{formatCount(worker.records)}</td>
                <td>{worker.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
