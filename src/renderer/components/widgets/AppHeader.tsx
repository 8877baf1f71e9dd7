import type { ReactNode } from 'react';
import { isJobActive } from '../../store/rotation-state.js';
import { useAppState } from '../../store/store-context.js';
import { AppMark } from './Icons.js';

export function AppHeader(): ReactNode {
  const fileName = useAppState((state) => state.vault?.fileName ?? null);
  const busy = useAppState((state) => isJobActive(state.rotationStatus));
  return (
    <header className="app-bar">
      <div className="app-bar-brand">
        <AppMark className="app-bar-mark" />
        <span>VaultStore Admin</span>
      </div>
      {fileName ? (
        <div className="app-bar-vault">
          {busy ? <span className="pulse" aria-hidden="true" /> : null}
          <span className="app-bar-file">{fileName}</span>
        </div>
      ) : null}
    </header>
  );
}
