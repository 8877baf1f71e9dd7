/** The "Connect to a database" form's actions: edit, test, connect, recent connections. */
import type { ServerConnectionRequest } from '../../shared/ipc-contract.js';
import {
  connectionRequestOf,
  DEFAULT_PORTS,
  defaultTlsFor,
  INITIAL_CONNECTION_STATE,
  type ConnectionSlice,
  type ConnectionStatus,
} from './connection-state.js';
import type { SliceCreator } from './types.js';

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
    ...INITIAL_CONNECTION_STATE,

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
