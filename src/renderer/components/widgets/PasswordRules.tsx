import type { ReactNode } from 'react';
import { PASSWORD_RULE_OPTIONS, type PasswordRules as Rules } from '../../lib/password-policy.js';

/**
 * The vault's optional character rules, folded away: most vaults set none,
 * and the open list pushed the rest of a short window out of view. Open
 * from the start when a rule is already ticked (a resume keeps them).
 */
export function PasswordRules({
  rules,
  onChange,
}: {
  rules: Rules;
  onChange(rules: Rules): void;
}): ReactNode {
  const ticked = PASSWORD_RULE_OPTIONS.filter((rule) => rules[rule.key]).length;
  return (
    <details className="password-rules" open={ticked > 0 ? true : undefined}>
      <summary className="field-label">
        Rules the vault also requires (optional{ticked > 0 ? `, ${ticked} ticked` : ''})
      </summary>
      <fieldset className="password-rules-list">
        <legend className="visually-hidden">Rules the vault also requires</legend>
        <p className="field-hint">
          Tick the rules the application set (PasswordRequireUppercase, …) so the new password is
          one VaultStore accepts.
        </p>
        {PASSWORD_RULE_OPTIONS.map((rule) => (
          <label key={rule.key} className="option-inline">
            <input
              type="checkbox"
              checked={rules[rule.key]}
              onChange={(event) => onChange({ ...rules, [rule.key]: event.target.checked })}
            />{' '}
            {rule.label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}
