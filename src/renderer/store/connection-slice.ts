/**
 * "Connect to a database": the form (dialect, host, port, database, user,
 * password, TLS), its "Test connection" answer, and the recent connections.
 * The password lives in the form until a connect is sent (or the form is
 * closed): it is cleared from the state before that call is answered (main
 * keeps its own copy for a connected vault). "Test connection" keeps it, so
 * that Connect after a good test does not make the user type it twice.
 */
import type {
  ServerConnectionRequest,
  ServerDialect,
  ServerTlsChoice,
} from '../../shared/ipc-contract.js';
import { isLocalHost } from '../../core/local-host.js';
import type { SliceCreator } from './types.js';
import type {
  ConnectionField,
  ConnectionForm,
  ConnectionSlice,
  ConnectionStatus,
} from './connection-types.js';

export type {
  ConnectionField,
  ConnectionForm,
  ConnectionSlice,
  ConnectionStatus,
} from './connection-types.js';

export const DEFAULT_PORTS: Readonly<Record<ServerDialect, number>> = {
  postgres: 5432,
  mysql: 3306,
};

/** The TLS mode a host gets unless the person picks one: the certificate checked unless it is this machine. */
export function defaultTlsFor(host: string): ServerTlsChoice {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  return isLocalHost(bare) ? 'disable' : 'verify-full';
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

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, get, api) => {
  /** Takes the request out of the form; a connect wipes the password from the state at once. */
  const takeRequest = (status: ConnectionStatus): ServerConnectionRequest | null => {
    const { connectionForm, connectionStatus } = get();
    if (connectionStatus !== 'idle') return null;
    const request = connectionRequestOf(connectionForm);
    if (!request) return null;
    set({
      connectionStatus: status,
      connectionForm:
        status === 'connecting' ? { ...connectionForm, password: '' } : connectionForm,
      connectionTest: null,
      connectionError: null,
    });
    return request;
  };

  return {
    connectOpen: false,
    connectionForm: emptyConnectionForm(),
    connectionStatus: 'idle',
    connectionTest: null,
    connectionError: null,
    recentConnections: [],

    openConnectForm() {
      set({ connectOpen: true, connectionTest: null, connectionError: null });
      void get().loadRecentConnections();
    },

    closeConnectForm() {
      set({
        connectOpen: false,
        connectionForm: { ...get().connectionForm, password: '' },
        connectionTest: null,
        connectionError: null,
      });
    },

    updateConnectionForm(changes) {
      const form = { ...get().connectionForm, ...changes };
      if (changes.tls !== undefined) form.tlsFollowsHost = false;
      else if (form.tlsFollowsHost) form.tls = defaultTlsFor(form.host);
      set({ connectionForm: form, connectionTest: null });
    },

    setConnectionDialect(dialect) {
      const form = get().connectionForm;
      const keepPort = form.port.trim() !== '' && form.port !== String(DEFAULT_PORTS[form.dialect]);
      set({
        connectionForm: {
          ...form,
          dialect,
          port: keepPort ? form.port : String(DEFAULT_PORTS[dialect]),
        },
        connectionTest: null,
      });
    },

    fillConnection(connection) {
      set({
        connectionForm: {
          dialect: connection.dialect,
          host: connection.host,
          port: String(connection.port),
          database: connection.database,
          user: connection.user,
          password: '',
          tls: connection.tls,
          tlsFollowsHost: false,
          caFile: connection.caFile ?? '',
        },
        connectionTest: null,
        connectionError: null,
      });
    },

    async chooseCaFile() {
      const response = await api.chooseCaFile();
      if (!response.ok) {
        set({ connectionError: response.error });
        return;
      }
      if (response.value !== null) get().updateConnectionForm({ caFile: response.value });
    },

    async testConnection() {
      const request = takeRequest('testing');
      if (!request) return;
      const response = await api.testConnection(request);
      set(
        response.ok
          ? { connectionStatus: 'idle', connectionTest: response.value }
          : { connectionStatus: 'idle', connectionError: response.error },
      );
    },

    async connectDatabase() {
      const request = takeRequest('connecting');
      if (!request) return;
      const response = await api.connectDatabase(request);
      if (!response.ok) {
        set({ connectionStatus: 'idle', connectionError: response.error });
        return;
      }
      set({ connectionStatus: 'idle', connectOpen: false, connectionTest: null });
      get().showVault(response.value);
      void get().loadRecentConnections();
    },

    async loadRecentConnections() {
      const response = await api.recentConnections();
      // A missing list is not worth an error on screen.
      if (response.ok) set({ recentConnections: response.value });
    },
  };
};
