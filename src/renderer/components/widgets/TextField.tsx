import { useId, type ReactNode } from 'react';

/** A labelled text input whose problem shows under it once it holds something. */
export function TextField({
  field,
  label,
  value,
  problem,
  onChange,
  inputMode,
  placeholder,
  prefix = 'connect',
}: {
  /** names the field's class, `${prefix}-field-${field}` */
  field: string;
  label: string;
  value: string;
  /** shown once the field holds something (an empty form is not an error) */
  problem: string | undefined;
  onChange(value: string): void;
  inputMode?: 'numeric' | 'url';
  placeholder?: string;
  prefix?: string;
}): ReactNode {
  const id = useId();
  const shown = problem !== undefined && value !== '' ? problem : undefined;
  return (
    <div className={`field ${prefix}-field-${field}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        value={value}
        inputMode={inputMode}
        placeholder={placeholder}
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        spellCheck={false}
        aria-invalid={shown !== undefined || undefined}
        aria-describedby={shown ? `${id}-problem` : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {shown ? (
        <p id={`${id}-problem`} className="field-error">
          {shown}
        </p>
      ) : null}
    </div>
  );
}
