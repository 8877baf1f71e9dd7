import { useState, type DragEvent, type ReactNode } from 'react';
import { directoryOf, fileNameOf } from '../../lib/format.js';
import { useFocusOnMount } from '../../hooks/use-focus-on-mount.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { AuditLogDialog } from '../dialogs/AuditLogDialog.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { AppMark, DatabaseIcon, FolderIcon, ShieldIcon } from '../widgets/Icons.js';

function hasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes('Files');
}

export function StartScreen(): ReactNode {
  const store = useStoreApi();
  const recent = useAppState((state) => state.recent);
  const opening = useAppState((state) => state.vaultStatus === 'opening');
  const error = useAppState((state) => state.vaultError);
  const [dragging, setDragging] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void store.getState().openDroppedFile(file);
  };

  return (
    <div className="screen start-screen">
      <section className="hero">
        <AppMark className="hero-mark" />
        <h1 ref={headingRef} tabIndex={-1}>
          VaultStore Admin
        </h1>
        <p className="hero-tagline">
          Rotate the password of a VaultStore vault: every record re-encrypted with the new
          password, nothing else touched.
        </p>
      </section>

      {error ? (
        <ErrorNotice
          error={error}
          actions={
            <>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void store.getState().openVaultDialog()}
              >
                Choose another file…
              </button>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => store.getState().dismissVaultError()}
              >
                Dismiss
              </button>
            </>
          }
        />
      ) : null}

      <div className="start-grid">
        <div
          className={`dropzone${dragging ? ' is-dragging' : ''}`}
          onDragEnter={(event) => {
            if (hasFiles(event)) setDragging(true);
          }}
          onDragOver={(event) => {
            event.preventDefault();
            event.dataTransfer.dropEffect = 'copy';
          }}
          onDragLeave={(event) => {
            if (!event.currentTarget.contains(event.relatedTarget as Node | null))
              setDragging(false);
          }}
          onDrop={onDrop}
          data-testid="dropzone"
        >
          <DatabaseIcon className="dropzone-icon" />
          <p className="dropzone-title">Drop a vault file here</p>
          <p className="dropzone-hint">A SQLite database (.db) that holds a VaultStore table</p>
          <div className="start-actions">
            <button
              type="button"
              className="button button-primary button-large"
              disabled={opening}
              onClick={() => void store.getState().openVaultDialog()}
            >
              <FolderIcon />
              {opening ? 'Opening…' : 'Open vault…'}
            </button>
            <button
              type="button"
              className="button button-secondary button-large"
              disabled={opening}
              onClick={() => store.getState().openConnectForm()}
            >
              <DatabaseIcon />
              Connect to a database…
            </button>
          </div>
        </div>

        <section className="card recent" aria-labelledby="recent-title">
          <h2 id="recent-title" className="card-title">
            Recent vaults
          </h2>
          {recent.length === 0 ? (
            <p className="empty">Vaults you open appear here. Only their paths are remembered.</p>
          ) : (
            <ul className="recent-list">
              {recent.map(({ handle, path }) => (
                <li key={handle}>
                  <button
                    type="button"
                    className="recent-item"
                    disabled={opening}
                    onClick={() => void store.getState().openVault(handle)}
                  >
                    <DatabaseIcon className="recent-icon" />
                    <span className="recent-text">
                      <span className="recent-name">{fileNameOf(path)}</span>
                      <span className="recent-path">{directoryOf(path)}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button
            type="button"
            className="button button-ghost recent-history"
            onClick={() => setHistoryOpen(true)}
          >
            Rotation history…
          </button>
        </section>
      </div>
      {historyOpen ? <AuditLogDialog onClose={() => setHistoryOpen(false)} /> : null}

      <p className="footnote">
        <ShieldIcon className="footnote-icon" />
        Passwords stay in memory only while a job needs them. They are never saved, logged or sent
        anywhere.
      </p>
    </div>
  );
}
