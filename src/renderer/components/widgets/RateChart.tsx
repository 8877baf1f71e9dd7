import { useId, type ReactNode } from 'react';
import { formatDuration, formatRate } from '../../lib/format.js';
import { rateChartModel, rateChartText, type RateHistory } from '../../lib/rate-history.js';

const WIDTH = 320;
const HEIGHT = 120;

/**
 * Records/s over time: the total, and one line per worker when other machines
 * help (so each machine that joins shows). A plain SVG with its summary as the
 * accessible name and description; the legend names the lines in text.
 */
export function RateChart({
  history,
  labelOf,
}: {
  history: RateHistory;
  labelOf?: (worker: string) => string;
}): ReactNode {
  const titleId = useId();
  const descId = useId();
  const model = rateChartModel(history, WIDTH, HEIGHT, labelOf);
  const text = rateChartText(model, history);
  const [total, ...workers] = model.lines;
  return (
    <figure className="rate-chart" data-testid="rate-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={titleId}
        aria-describedby={descId}
        preserveAspectRatio="none"
        className="rate-chart-plot"
      >
        <title id={titleId}>Records per second over time</title>
        <desc id={descId}>{text}</desc>
        <line className="rate-chart-axis" x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
        {workers.map((line, index) => (
          <path
            key={line.id}
            d={line.path}
            className={`rate-chart-line rate-chart-worker rate-chart-series-${index % 6}`}
            vectorEffect="non-scaling-stroke"
          />
        ))}
        {total?.path ? (
          <path
            d={total.path}
            className="rate-chart-line rate-chart-total"
            vectorEffect="non-scaling-stroke"
          />
        ) : null}
      </svg>
      <div className="rate-chart-scale" aria-hidden="true">
        <span>{formatRate(model.maxRate)}</span>
        <span>{model.spanMs > 0 ? formatDuration(model.spanMs) : ''}</span>
      </div>
      <figcaption className="rate-chart-caption">
        <ul className="rate-chart-legend">
          {model.lines.map((line, index) => (
            <li key={line.id}>
              <span
                className={`rate-chart-key ${index === 0 ? 'rate-chart-total' : `rate-chart-series-${(index - 1) % 6}`}`}
                aria-hidden="true"
              />
              {line.label}: {formatRate(line.latest)}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
