/**
 * "Connect to a database": the form (dialect, host, port, database, user,
 * password, TLS), its "Test connection" answer, and the recent connections.
 * The password lives in the form until a connect is sent (or the form is
 * closed): it is cleared from the state before that call is answered (main
 * keeps its own copy for a connected vault). "Test connection" keeps it, so
 * that Connect after a good test does not make the user type it twice.
 * What the slice holds, how it starts, and how to read the form.
 */
import type {
  ConnectionTestResult,
  IpcError,
  ServerConnection,
  ServerConnectionRequest,
  ServerDialect,
  ServerTlsChoice,
} from '../../shared/ipc-contract.js';
import { isLocalHost } from '../../core/local-host.js';

export const DEFAULT_PORTS: Readonly<Record<ServerDialect, number>> = {
  postgres: 5432,
  mysql: 3306,
};

export interface ConnectionForm {
  dialect: ServerDialect;
  host: string;
  /** as typed; checked by connectionFormProblems */
  port: string;
  database: string;
  user: string;
  password: string;
  tls: ServerTlsChoice;
  /**
   * true until the person picks a TLS mode: the mode then follows the host
   * (verify-full for another machine, off for this one), as in the CLI.
   */
  tlsFollowsHost: boolean;
  /** used with verify-full only; '' = the system's CAs */
  caFile: string;
}

/** The TLS mode a host gets unless the person picks one: the certificate checked unless it is this machine. */
export function defaultTlsFor(host: string): ServerTlsChoice {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  return isLocalHost(bare) ? 'disable' : 'verify-full';
}

export type ConnectionField = 'host' | 'port' | 'database' | 'user' | 'caFile';

export type ConnectionStatus = 'idle' | 'testing' | 'connecting';

export interface ConnectionData {
  connectOpen: boolean;
  connectionForm: ConnectionForm;
  connectionStatus: ConnectionStatus;
  /** what the last "Test connection" found (cleared when the form changes) */
  connectionTest: ConnectionTestResult | null;
  connectionError: IpcError | null;
  recentConnections: ServerConnection[];
}

export interface ConnectionSlice extends ConnectionData {
  openConnectForm(): void;
  /** closes the form; the password typed is dropped */
  closeConnectForm(): void;
  /** a TLS mode given here is the person's choice: it no longer follows the host */
  updateConnectionForm(changes: Partial<Omit<ConnectionForm, 'dialect' | 'tlsFollowsHost'>>): void;
  /** switches PostgreSQL / MySQL; a port left at the other's default follows the new default */
  setConnectionDialect(dialect: ServerDialect): void;
  /** fills the form from a recent connection (the password stays empty) */
  fillConnection(connection: ServerConnection): void;
  chooseCaFile(): Promise<void>;
  testConnection(): Promise<void>;
  connectDatabase(): Promise<void>;
  loadRecentConnections(): Promise<void>;
}

export function emptyConnectionForm(dialect: ServerDialect = 'postgres'): ConnectionForm {
  return {
    dialect,
    host: 'localhost',
    port: String(DEFAULT_PORTS[dialect]),
    database: '',
    user: '',
    password: '',
    tls: defaultTlsFor('localhost'),
    tlsFollowsHost: true,
    caFile: '',
  };
}

export const INITIAL_CONNECTION_STATE: ConnectionData = {
  connectOpen: false,
  connectionForm: emptyConnectionForm(),
  connectionStatus: 'idle',
  connectionTest: null,
  connectionError: null,
  recentConnections: [],
};

const HOST = /^(?:[A-Za-z0-9._-]+|\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?)$/;

/** What must be fixed before the form can be sent, by field (empty: it can). */
export function connectionFormProblems(
  form: ConnectionForm,
): Partial<Record<ConnectionField, string>> {
  const problems: Partial<Record<ConnectionField, string>> = {};
  const host = form.host.trim();
  if (host === '') problems.host = 'Enter the server’s host name or IP address.';
  else if (!HOST.test(host))
    problems.host = 'Only the host name or IP address: no user, port, path or options.';
  const port = Number(form.port);
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535)
    problems.port = 'A port from 1 to 65535.';
  if (form.database.trim() === '') problems.database = 'Enter the database that holds the vault.';
  if (form.user.trim() === '') problems.user = 'Enter the database user.';
  const caFile = form.caFile.trim();
  if (form.tls === 'verify-full' && caFile !== '' && !/^(?:\/|[A-Za-z]:[\\/])/.test(caFile))
    problems.caFile = 'The full path of the CA certificate file (or choose it).';
  return problems;
}

/** The request main receives; null while the form has problems. */
export function connectionRequestOf(form: ConnectionForm): ServerConnectionRequest | null {
  if (Object.keys(connectionFormProblems(form)).length > 0) return null;
  const caFile = form.caFile.trim();
  return {
    dialect: form.dialect,
    host: form.host.trim(),
    port: Number(form.port),
    database: form.database.trim(),
    user: form.user.trim(),
    password: form.password,
    tls: form.tls,
    caFile: form.tls === 'verify-full' && caFile !== '' ? caFile : null,
  };
}
