import type { ReactNode } from 'react';
import { estimateStrength } from '../lib/password-strength.js';

/** Guidance only: four segments and a word. The policy checklist is what gates Start. */
export function StrengthMeter({ password, id }: { password: string; id?: string }): ReactNode {
  const strength = estimateStrength(password);
  return (
    <div className={`strength strength-${strength.level}`} id={id}>
      <div className="strength-bar" aria-hidden="true">
        {[1, 2, 3, 4].map((segment) => (
          <span key={segment} className={segment <= strength.level ? 'is-on' : undefined} />
        ))}
      </div>
      <span className="strength-label">
        Strength: <strong>{strength.label}</strong>
      </span>
    </div>
  );
}
