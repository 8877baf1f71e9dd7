import type { ReactNode } from 'react';
import { TextField } from './TextField.js';

/** A CA certificate file: typed, or chosen in main's file dialog. */
export function CaFileField({
  prefix,
  value,
  problem,
  onChange,
  onChoose,
}: {
  prefix: string;
  value: string;
  problem: string | undefined;
  onChange(value: string): void;
  onChoose(): void;
}): ReactNode {
  return (
    <div className="connect-ca">
      <TextField
        prefix={prefix}
        field="caFile"
        label="CA certificate file (empty: the system’s)"
        value={value}
        problem={problem}
        onChange={onChange}
      />
      <button type="button" className="button button-secondary" onClick={onChoose}>
        Choose…
      </button>
    </div>
  );
}
