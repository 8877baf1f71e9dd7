import { useId, useRef, type FormEvent, type ReactNode } from 'react';
import type {
  ConnectionTestResult,
  ServerConnection,
  ServerDialect,
  ServerTlsChoice,
} from '../../../shared/ipc-contract.js';
import { plural } from '../../lib/format.js';
import {
  connectionFormProblems,
  connectionRequestOf,
  type ConnectionForm,
} from '../../store/connection-state.js';
import { useAppState, useStoreApi } from '../../store/store-context.js';
import { CaFileField } from '../widgets/CaFileField.js';
import { ErrorNotice } from '../widgets/ErrorNotice.js';
import { DatabaseIcon, SuccessIcon } from '../widgets/Icons.js';
import { PasswordField } from '../widgets/PasswordField.js';
import { TextField } from '../widgets/TextField.js';
import { Dialog } from './Dialog.js';

const DIALECT_LABELS: Record<ServerDialect, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
};

const TLS_LABELS: Record<ServerTlsChoice, string> = {
  'verify-full': 'Encrypted, server certificate verified',
  require: 'Encrypted, server not verified (risky)',
  disable: 'Off (only for a server on this machine)',
};

/** What each choice risks, shown beside it. */
const TLS_RISKS: Record<ServerTlsChoice, string> = {
  'verify-full':
    'The server must show a certificate for this host name, so the password goes only to the server you named.',
  require:
    'Whoever answers at this address can pose as the server: the tool then never sends the password in a form it ' +
    'can read and refuses a server that asks for one, but the vault data goes to whoever answered.',
  disable:
    'Nothing is encrypted: anyone on the network can read the vault data and pose as the server. Use it only for ' +
    'a server on this machine.',
};

function TestOutcome({ result }: { result: ConnectionTestResult }): ReactNode {
  return (
    <div
      className="notice notice-success connect-test"
      role="status"
      data-testid="connection-test-result"
    >
      <SuccessIcon className="notice-icon" />
      <div className="notice-body">
        <p className="notice-title">Connected to {result.display}</p>
        <p className="notice-text">
          {result.tables.length === 0
            ? 'The server answered, but no table in this database has the VaultStore columns.'
            : `Vault ${result.tables.length === 1 ? 'table' : 'tables'}: ${result.tables
                .map((table) => `${table.name} (${plural(table.records, 'record')})`)
                .join(', ')}.`}
        </p>
      </div>
    </div>
  );
}

function RecentConnections({ connections }: { connections: ServerConnection[] }): ReactNode {
  const store = useStoreApi();
  if (connections.length === 0) return null;
  return (
    <section className="recent-connections" aria-labelledby="recent-connections-title">
      <h3 id="recent-connections-title" className="section-title">
        Recent connections
      </h3>
      <ul className="recent-list">
        {connections.map((connection) => {
          const where = `${connection.user}@${connection.host}:${connection.port}/${connection.database}`;
          return (
            <li key={`${connection.dialect}:${where}`}>
              <button
                type="button"
                className="recent-item"
                onClick={() => store.getState().fillConnection(connection)}
              >
                <DatabaseIcon className="recent-icon" />
                <span className="recent-text">
                  <span className="recent-name">{connection.database}</span>
                  <span className="recent-path">
                    {DIALECT_LABELS[connection.dialect]} · {where}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The connect form: a vault table in a PostgreSQL or MySQL/MariaDB server. */
export function ConnectDialog(): ReactNode {
  const store = useStoreApi();
  const form = useAppState((state) => state.connectionForm);
  const status = useAppState((state) => state.connectionStatus);
  const tested = useAppState((state) => state.connectionTest);
  const error = useAppState((state) => state.connectionError);
  const recent = useAppState((state) => state.recentConnections);
  const firstFieldRef = useRef<HTMLSelectElement>(null);
  const dialectId = useId();
  const tlsId = useId();
  const problems = connectionFormProblems(form);
  const ready = connectionRequestOf(form) !== null && status === 'idle';
  const update = (changes: Partial<Omit<ConnectionForm, 'dialect'>>): void =>
    store.getState().updateConnectionForm(changes);
  const close = (): void => store.getState().closeConnectForm();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (ready) void store.getState().connectDatabase();
  };

  return (
    <Dialog
      title="Connect to a database"
      subtitle="A vault table in a PostgreSQL or MySQL/MariaDB server."
      onClose={close}
      initialFocus={firstFieldRef}
    >
      <form className="dialog-form" onSubmit={submit} noValidate>
        <div className="dialog-body">
          <RecentConnections connections={recent} />
          <div className="connect-grid">
            <div className="field connect-field-dialect">
              <label className="field-label" htmlFor={dialectId}>
                Database server
              </label>
              <select
                id={dialectId}
                ref={firstFieldRef}
                value={form.dialect}
                onChange={(event) =>
                  store.getState().setConnectionDialect(event.target.value as ServerDialect)
                }
              >
                <option value="postgres">{DIALECT_LABELS.postgres}</option>
                <option value="mysql">{DIALECT_LABELS.mysql}</option>
              </select>
            </div>
            <TextField
              field="host"
              label="Host"
              value={form.host}
              problem={problems.host}
              onChange={(host) => update({ host })}
            />
            <TextField
              field="port"
              label="Port"
              value={form.port}
              problem={problems.port}
              inputMode="numeric"
              onChange={(port) => update({ port })}
            />
            <TextField
              field="database"
              label="Database"
              value={form.database}
              problem={problems.database}
              onChange={(database) => update({ database })}
            />
            <TextField
              field="user"
              label="User"
              value={form.user}
              problem={problems.user}
              onChange={(user) => update({ user })}
            />
          </div>
          <PasswordField
            label="Database password"
            value={form.password}
            onChange={(password) => update({ password })}
            hint="Kept in memory only while the vault is open; never saved."
          />
          <div className="field">
            <label className="field-label" htmlFor={tlsId}>
              TLS
            </label>
            <select
              id={tlsId}
              value={form.tls}
              aria-describedby={`${tlsId}-risk`}
              onChange={(event) => update({ tls: event.target.value as ServerTlsChoice })}
            >
              {(Object.keys(TLS_LABELS) as ServerTlsChoice[]).map((mode) => (
                <option key={mode} value={mode}>
                  {TLS_LABELS[mode]}
                </option>
              ))}
            </select>
            <p id={`${tlsId}-risk`} className="field-hint" data-testid="tls-risk">
              {TLS_RISKS[form.tls]}
            </p>
          </div>
          {form.tls === 'verify-full' ? (
            <CaFileField
              prefix="connect"
              value={form.caFile}
              problem={problems.caFile}
              onChange={(caFile) => update({ caFile })}
              onChoose={() => void store.getState().chooseCaFile()}
            />
          ) : null}
          <div aria-live="polite">
            {tested ? <TestOutcome result={tested} /> : null}
            {error ? <ErrorNotice error={error} /> : null}
          </div>
        </div>
        <div className="dialog-footer">
          <p className="dialog-footer-note">
            {tested || error ? 'The password was cleared when the request was sent.' : ''}
          </p>
          <button type="button" className="button button-ghost" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={!ready}
            onClick={() => void store.getState().testConnection()}
          >
            {status === 'testing' ? 'Testing…' : 'Test connection'}
          </button>
          <button type="submit" className="button button-primary" disabled={!ready}>
            {status === 'connecting' ? 'Connecting…' : 'Connect'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
