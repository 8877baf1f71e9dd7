import { useId, type ReactNode } from 'react';
import {
  checkCustomConfig,
  CUSTOM_EXPLANATION,
  DEFAULT_KEY_LENGTH,
  DEFAULT_SALT_LENGTH,
  draftFromConfig,
  KEY_LENGTH_OPTIONS,
  formatConfig,
  MATCH_WARNING,
  PRESET_OPTIONS,
  TINY_CONFIG,
  type CryptoDraft,
  type CustomConfigDraft,
  type PresetKey,
} from '../../lib/argon2-choices.js';

interface Argon2PickerProps {
  value: CryptoDraft;
  onChange(value: CryptoDraft): void;
}

const CUSTOM_FIELDS: readonly {
  key: 'iterations' | 'memoryKiB' | 'parallelism' | 'saltLength';
  label: string;
  unit: string;
}[] = [
  { key: 'iterations', label: 'Iterations (t)', unit: 'passes' },
  { key: 'memoryKiB', label: 'Memory (m)', unit: 'KiB' },
  { key: 'parallelism', label: 'Parallelism (p)', unit: 'lanes' },
  { key: 'saltLength', label: 'Salt size', unit: 'bytes' },
];

/** The draft's text for a field; key length and salt size fall back to the library defaults. */
function fieldText(draft: CustomConfigDraft, key: (typeof CUSTOM_FIELDS)[number]['key']): string {
  if (key === 'saltLength') return draft.saltLength ?? String(DEFAULT_SALT_LENGTH);
  return draft[key];
}

/** Preset select, its one-line explanation, and t/m/p, key length and salt size fields for Custom. */
export function Argon2Picker({ value, onChange }: Argon2PickerProps): ReactNode {
  const id = useId();
  const selected = PRESET_OPTIONS.find((option) => option.key === value.preset);
  const customCheck = value.preset === 'custom' ? checkCustomConfig(value.custom) : null;
  const setCustom = (patch: Partial<CustomConfigDraft>): void =>
    onChange({ ...value, custom: { ...value.custom, ...patch } });

  return (
    <div className="argon2">
      <div className="field">
        <label className="field-label" htmlFor={`${id}-preset`}>
          Argon2id preset
        </label>
        <select
          id={`${id}-preset`}
          value={value.preset}
          aria-describedby={`${id}-explain ${id}-match`}
          onChange={(event) => onChange({ ...value, preset: event.target.value as PresetKey })}
        >
          {PRESET_OPTIONS.map((option) => (
            <option key={option.key} value={option.key}>
              {option.label} ({formatConfig(option.config)})
            </option>
          ))}
          <option value="custom">Custom t / m / p…</option>
        </select>
        <p id={`${id}-explain`} className="field-hint">
          {selected ? selected.explanation : CUSTOM_EXPLANATION}
        </p>
        <p id={`${id}-match`} className="field-hint field-hint-quiet">
          {MATCH_WARNING}
        </p>
      </div>
      {value.preset === 'custom' ? (
        <div className="custom-config">
          <div className="custom-grid">
            {CUSTOM_FIELDS.map((field) => (
              <div className="field" key={field.key}>
                <label className="field-label" htmlFor={`${id}-${field.key}`}>
                  {field.label}
                </label>
                <div className="input-with-unit">
                  <input
                    id={`${id}-${field.key}`}
                    inputMode="numeric"
                    value={fieldText(value.custom, field.key)}
                    aria-invalid={customCheck?.ok === false || undefined}
                    onChange={(event) => setCustom({ [field.key]: event.target.value })}
                  />
                  <span className="unit" aria-hidden="true">
                    {field.unit}
                  </span>
                </div>
              </div>
            ))}
            <div className="field custom-field-wide">
              <label className="field-label" htmlFor={`${id}-keyLength`}>
                Key length (k)
              </label>
              <select
                id={`${id}-keyLength`}
                value={value.custom.keyLength ?? String(DEFAULT_KEY_LENGTH)}
                aria-invalid={customCheck?.ok === false || undefined}
                onChange={(event) => setCustom({ keyLength: event.target.value })}
              >
                {KEY_LENGTH_OPTIONS.map((option) => (
                  <option key={option.value} value={String(option.value)}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="custom-presets" role="group" aria-label="Fill t / m / p from">
            <span className="custom-presets-label">Fill from</span>
            {PRESET_OPTIONS.map((option) => (
              <button
                type="button"
                key={option.key}
                className="chip"
                onClick={() => setCustom(draftFromConfig(option.config))}
              >
                {option.label}
              </button>
            ))}
            <button
              type="button"
              className="chip chip-quiet"
              title="1 pass, 64 KiB: only for test vaults, never for real secrets"
              onClick={() => setCustom(draftFromConfig(TINY_CONFIG))}
            >
              Tiny (tests only)
            </button>
          </div>
          {customCheck && !customCheck.ok ? (
            <p className="field-error" role="alert">
              {customCheck.message}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
