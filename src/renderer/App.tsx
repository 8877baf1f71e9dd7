import { useEffect, type ReactNode } from 'react';
import type { VaultAdminApi } from '../shared/ipc-contract.js';
import { AppHeader } from './components/widgets/AppHeader.js';
import { ConnectDialog } from './components/dialogs/ConnectDialog.js';
import { ProgressScreen } from './components/screens/ProgressScreen.js';
import { ResultScreen } from './components/screens/ResultScreen.js';
import { RotateDialog } from './components/dialogs/RotateDialog.js';
import { StartScreen } from './components/screens/StartScreen.js';
import { VaultScreen } from './components/screens/VaultScreen.js';
import { VerifyDialog } from './components/dialogs/VerifyDialog.js';
import { useJobEvents } from './hooks/use-job-events.js';
import { selectScreen, type AppStore } from './store/app-store.js';
import { StoreProvider, useAppState, useStoreApi } from './store/store-context.js';

/** A file dropped outside the drop zone must not make the window navigate to it. */
function useSwallowStrayDrops(): void {
  useEffect(() => {
    const swallow = (event: Event): void => event.preventDefault();
    window.addEventListener('dragover', swallow);
    window.addEventListener('drop', swallow);
    return () => {
      window.removeEventListener('dragover', swallow);
      window.removeEventListener('drop', swallow);
    };
  }, []);
}

function useDocumentTitle(): void {
  const fileName = useAppState((state) => state.vault?.fileName ?? null);
  useEffect(() => {
    document.title = fileName ? `${fileName} · VaultStore Admin` : 'VaultStore Admin';
  }, [fileName]);
}

function Screens(): ReactNode {
  const store = useStoreApi();
  const screen = useAppState(selectScreen);
  // The dialog stays open while a Start's own check runs (its pre-flight).
  const rotateOpen = useAppState(
    (state) => state.rotationStatus === 'configuring' || state.rotationStatus === 'checking',
  );
  const verifyOpen = useAppState((state) => state.verifyTarget !== null);
  const connectOpen = useAppState((state) => state.connectOpen && state.vault === null);
  useJobEvents();
  useSwallowStrayDrops();
  useDocumentTitle();
  useEffect(() => {
    void store.getState().loadRecent();
  }, [store]);

  return (
    <div className="app">
      <AppHeader />
      <main className="app-main">
        {screen === 'start' ? <StartScreen /> : null}
        {screen === 'vault' ? <VaultScreen /> : null}
        {screen === 'progress' ? <ProgressScreen /> : null}
        {screen === 'result' ? <ResultScreen /> : null}
      </main>
      {rotateOpen ? <RotateDialog /> : null}
      {verifyOpen ? <VerifyDialog /> : null}
      {connectOpen ? <ConnectDialog /> : null}
    </div>
  );
}

export function App({ store, api }: { store: AppStore; api: VaultAdminApi }): ReactNode {
  return (
    <StoreProvider store={store} api={api}>
      <Screens />
    </StoreProvider>
  );
}
