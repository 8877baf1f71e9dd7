import type { ReactNode } from 'react';
import { usePasswordStrength } from '../../hooks/use-password-strength.js';
import '../../styles/strength-meter.css';

/**
 * Guidance only: four segments, a word, and what the estimator says (why the
 * password is guessable, how to improve it). The policy checklist is what
 * gates Start. `id` names the whole block, feedback included, so the field's
 * aria-describedby reads it.
 */
export function StrengthMeter({ password, id }: { password: string; id?: string }): ReactNode {
  const state = usePasswordStrength(password);
  if (state.status !== 'ready') {
    return (
      <div className="strength-meter" id={id}>
        <div className="strength strength-0">
          <div className="strength-bar" aria-hidden="true">
            {[1, 2, 3, 4].map((segment) => (
              <span key={segment} />
            ))}
          </div>
          <span className="strength-label">
            Strength: <strong>{state.status === 'loading' ? 'checking…' : 'not available'}</strong>
          </span>
        </div>
      </div>
    );
  }
  const { strength, pending } = state;
  return (
    <div className={pending ? 'strength-meter is-pending' : 'strength-meter'} id={id}>
      <div className={`strength strength-${strength.level}`}>
        <div className="strength-bar" aria-hidden="true">
          {[1, 2, 3, 4].map((segment) => (
            <span key={segment} className={segment <= strength.level ? 'is-on' : undefined} />
          ))}
        </div>
        <span className="strength-label">
          Strength: <strong>{strength.label}</strong>
        </span>
      </div>
      {strength.warning || strength.suggestions.length > 0 ? (
        <div className="strength-feedback">
          {strength.warning ? <p className="strength-warning">{strength.warning}</p> : null}
          {strength.suggestions.length > 0 ? (
            <ul className="strength-suggestions" aria-label="Suggestions">
              {strength.suggestions.map((suggestion) => (
                <li key={suggestion}>{suggestion}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
