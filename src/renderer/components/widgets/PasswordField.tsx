import { useId, useState, type ReactNode, type Ref } from 'react';
import { EyeIcon, EyeOffIcon } from './Icons.js';

interface PasswordFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  hint?: ReactNode;
  invalid?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  /** ids of elements that describe the field besides its hint */
  describedBy?: string;
}

/** A password input with its label and a show/hide toggle. Never autocompleted or spell-checked. */
export function PasswordField({
  label,
  value,
  onChange,
  hint,
  invalid = false,
  inputRef,
  describedBy,
}: PasswordFieldProps): ReactNode {
  const [visible, setVisible] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const described = [hint ? hintId : null, describedBy].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label className="field-label" htmlFor={inputId}>
        {label}
      </label>
      <div className={`password-input${invalid ? ' is-invalid' : ''}`}>
        <input
          ref={inputRef}
          id={inputId}
          type={visible ? 'text' : 'password'}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="off"
          spellCheck={false}
          aria-invalid={invalid || undefined}
          aria-describedby={described}
        />
        <button
          type="button"
          className="reveal-button"
          aria-label={`${visible ? 'Hide' : 'Show'} ${label.toLowerCase()}`}
          aria-pressed={visible}
          onClick={() => setVisible((shown) => !shown)}
        >
          {visible ? <EyeOffIcon /> : <EyeIcon />}
        </button>
      </div>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
