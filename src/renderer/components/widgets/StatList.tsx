import type { ReactNode } from 'react';

export interface Stat {
  label: string;
  value: ReactNode;
  hint?: string;
  tone?: 'default' | 'good' | 'warn' | 'bad' | 'muted';
  /** stable hook for tests and screen readers */
  id?: string;
}

/** Label/value pairs as a description list, laid out as a grid of tiles. */
export function StatList({
  stats,
  className,
}: {
  stats: readonly Stat[];
  className?: string;
}): ReactNode {
  return (
    <dl className={`stats${className ? ` ${className}` : ''}`}>
      {stats.map((stat) => (
        <div key={stat.label} className={`stat stat-${stat.tone ?? 'default'}`} data-stat={stat.id}>
          <dt>{stat.label}</dt>
          <dd className="stat-value">{stat.value}</dd>
          {/* A <dl> group holds only <dt> and <dd>: the hint is a second description. */}
          {stat.hint ? <dd className="stat-hint">{stat.hint}</dd> : null}
        </div>
      ))}
    </dl>
  );
}
