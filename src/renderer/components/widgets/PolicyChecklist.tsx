import type { ReactNode } from 'react';
import type { NewPasswordPolicy } from '../../lib/password-policy.js';
import { CheckIcon, DotIcon } from './Icons.js';

export function PolicyChecklist({
  policy,
  id,
}: {
  policy: NewPasswordPolicy;
  id?: string;
}): ReactNode {
  return (
    <ul className="policy" id={id} aria-label="VaultStore password policy">
      {policy.checks.map((check) => (
        <li key={check.id} className={check.ok ? 'is-ok' : undefined}>
          {check.ok ? <CheckIcon className="policy-icon" /> : <DotIcon className="policy-icon" />}
          <span>
            {check.label}
            <span className="visually-hidden">{check.ok ? ' (met)' : ' (not met yet)'}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
