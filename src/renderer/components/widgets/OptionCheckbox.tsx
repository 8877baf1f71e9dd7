import { useId, type ReactNode } from 'react';

interface OptionProps {
  disabled?: boolean;
  label: string;
  hint: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
}

/** A checkbox with its label and a hint under it. */
export function OptionCheckbox({
  label,
  hint,
  checked,
  onChange,
  disabled,
}: OptionProps): ReactNode {
  const id = useId();
  return (
    <div className="option">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div>
        <label htmlFor={id} className="option-label">
          {label}
        </label>
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      </div>
    </div>
  );
}
