import type { ReactNode } from 'react';
import { vaultDriverText } from '../../../core/vault-drivers.js';
import type {
  UnfinishedRotation,
  VaultSummary,
  VaultTableInfo,
} from '../../../shared/ipc-contract.js';
import { formatBytes, formatCount, plural } from '../../lib/format.js';
import { useFocusOnMount } from '../../hooks/use-focus-on-mount.js';
import {
  selectCanResume,
  selectTableInfo,
  selectUnfinishedRotation,
} from '../../store/vault-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { DistributedBanner } from '../widgets/DistributedBanner.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { CheckIcon, DatabaseIcon, PauseIcon, RotateIcon, ShieldIcon } from '../widgets/Icons.js';
import { StatList, type Stat } from '../widgets/StatList.js';

function DriverNote({ vault }: { vault: VaultSummary }): ReactNode {
  const text = vaultDriverText(vault.driver);
  if (!text.fallback) return <span className="badge">{text.badge}</span>;
  return (
    <span className="badge badge-warn" title="The native SQLite module did not load here">
      {text.badge}
    </span>
  );
}

/** "Started …; 1,234 of 5,000 records done." from the rotation's checkpoint. */
function unfinishedProgress(rotation: UnfinishedRotation): string {
  const started = `Started ${new Date(rotation.startedAt).toLocaleString()}`;
  if (rotation.redoFromStart) return `${started}; a resume re-examines every record.`;
  const total =
    rotation.recordsInScope === null ? '' : ` of ${formatCount(rotation.recordsInScope)}`;
  return `${started}; ${formatCount(rotation.counts.scanned)}${total} records done.`;
}

function tableStats(table: VaultTableInfo): Stat[] {
  return [
    { id: 'records', label: 'Records', value: formatCount(table.records), hint: 'in this table' },
    {
      id: 'soft-deleted',
      label: 'Soft-deleted',
      value: formatCount(table.softDeleted),
      hint: 'rotated too, unless you opt out',
      tone: table.softDeleted > 0 ? 'default' : 'muted',
    },
    {
      id: 'expired',
      label: 'Expired',
      value: formatCount(table.expired),
      hint: 'still rotated: they hold secrets',
      tone: table.expired > 0 ? 'default' : 'muted',
    },
    {
      id: 'v1',
      label: 'Legacy v1',
      value: formatCount(table.v1),
      hint: 'rewritten in the v2 format',
      tone: table.v1 > 0 ? 'default' : 'muted',
    },
    {
      id: 'other',
      label: 'Other',
      value: formatCount(table.other),
      hint: 'not a VaultStore value: left alone',
      tone: table.other > 0 ? 'warn' : 'muted',
    },
  ];
}

function TablePicker({
  vault,
  selected,
}: {
  vault: VaultSummary;
  selected: string | null;
}): ReactNode {
  const store = useStoreApi();
  return (
    <fieldset className="table-picker">
      <legend className="section-title">
        This file holds {vault.tables.length} vault tables: choose one
      </legend>
      <div className="table-options">
        {vault.tables.map((table) => (
          <label
            key={table.name}
            className={`table-option${table.name === selected ? ' is-selected' : ''}`}
          >
            <input
              type="radio"
              name="vault-table"
              value={table.name}
              checked={table.name === selected}
              onChange={() => store.getState().selectTable(table.name)}
            />
            <span className="table-option-name">{table.name}</span>
            <span className="table-option-count">{plural(table.records, 'record')}</span>
            {vault.unfinishedRotations.some((rotation) => rotation.table === table.name) ? (
              <span className="badge badge-warn">interrupted rotation</span>
            ) : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function VaultScreen(): ReactNode {
  const store = useStoreApi();
  const vault = useAppState((state) => state.vault);
  const selected = useAppState((state) => state.selectedTable);
  const table = useAppState(selectTableInfo);
  const canResume = useAppState(selectCanResume);
  const unfinished = useAppState(selectUnfinishedRotation);
  const error = useAppState((state) => state.vaultError);
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  if (!vault) return null;
  const onServer = vaultDriverText(vault.driver).holds === 'server';

  return (
    <div className="screen vault-screen">
      <header className="card vault-header">
        <DatabaseIcon className="vault-header-icon" />
        <div className="vault-header-text">
          <h1 ref={headingRef} tabIndex={-1}>
            {vault.fileName}
          </h1>
          <p className="path" title={vault.path}>
            {vault.path}
          </p>
          <p className="vault-meta">
            <span>
              {formatBytes(vault.fileSizeBytes)}
              {onServer ? ' on the server' : ''}
            </span>
            <DriverNote vault={vault} />
          </p>
        </div>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => store.getState().closeVault()}
        >
          Close vault
        </button>
      </header>

      {error ? (
        <ErrorNotice
          error={error}
          actions={
            <button
              type="button"
              className="button button-ghost"
              onClick={() => store.getState().dismissVaultError()}
            >
              Dismiss
            </button>
          }
        />
      ) : null}

      {vault.tables.length === 0 ? (
        <ErrorNotice
          tone="warning"
          title={onServer ? 'No vault table in this database' : 'No vault table in this file'}
          error={{
            code: 'NO_VAULT_TABLE',
            message: onServer
              ? 'No table of this database (its current schema) has the VaultStore columns (id, vault_token, vault_value, …). Connect to the database your application uses.'
              : 'No table here has the VaultStore columns (id, vault_token, vault_value, …). Open the database file your application uses.',
          }}
        />
      ) : null}
      {vault.tables.length > 1 ? <TablePicker vault={vault} selected={selected} /> : null}

      {table ? (
        <section aria-labelledby="counts-title" className="counts">
          <h2 id="counts-title" className="section-title">
            {vault.tables.length > 1 ? `Table “${table.name}”` : `Vault table “${table.name}”`}
          </h2>
          <StatList stats={tableStats(table)} />
        </section>
      ) : null}

      {vault.checkpointProblem !== null ? (
        <ErrorNotice
          tone="warning"
          title="An interrupted rotation cannot be resumed"
          error={{ code: 'CHECKPOINT', message: vault.checkpointProblem }}
        />
      ) : null}

      <DistributedBanner />

      {canResume ? (
        <div className="notice notice-warning" role="status">
          <PauseIcon className="notice-icon" />
          <div className="notice-body">
            <p className="notice-title">A rotation of this table was interrupted</p>
            <p className="notice-text">
              Some records may already use the new password. Resume it with the same passwords to
              finish.
            </p>
            {unfinished ? (
              <p className="notice-text" data-testid="unfinished-progress">
                {unfinishedProgress(unfinished)}
              </p>
            ) : null}
            <div className="notice-actions">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => store.getState().openRotateDialog({ resume: true })}
              >
                Resume interrupted rotation…
              </button>
              <button
                type="button"
                className="button button-ghost"
                onClick={() => store.getState().openRotateDialog({ restart: true })}
              >
                Discard it and start over…
              </button>
            </div>
          </div>
        </div>
      ) : null}

      <div className="actions">
        <button
          type="button"
          className="button button-primary button-large"
          disabled={!table}
          onClick={() => store.getState().openRotateDialog()}
        >
          <RotateIcon />
          Rotate password…
        </button>
        <button
          type="button"
          className="button button-secondary button-large"
          disabled={!table}
          onClick={() => store.getState().openVerify()}
        >
          <CheckIcon />
          Verify…
        </button>
        <p className="actions-note">
          <ShieldIcon className="footnote-icon" />A backup is made before the first write; records
          that do not open with the current password are never touched.
        </p>
      </div>
    </div>
  );
}
