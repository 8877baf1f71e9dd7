/**
 * The "Connect to a database" slice's state and actions as types, apart from its code
 * (connection-slice.ts, which re-exports them): types.ts composes AppState from
 * these files, so no slice's code is part of an import cycle.
 */
import type {
  ConnectionTestResult,
  IpcError,
  ServerConnection,
  ServerDialect,
  ServerTlsChoice,
} from '../../shared/ipc-contract.js';

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

export type ConnectionField = 'host' | 'port' | 'database' | 'user' | 'caFile';

export type ConnectionStatus = 'idle' | 'testing' | 'connecting';

export interface ConnectionSlice {
  connectOpen: boolean;
  connectionForm: ConnectionForm;
  connectionStatus: ConnectionStatus;
  /** what the last "Test connection" found (cleared when the form changes) */
  connectionTest: ConnectionTestResult | null;
  connectionError: IpcError | null;
  recentConnections: ServerConnection[];
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
