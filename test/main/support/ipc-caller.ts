/**
 * The page's side of main's IPC, without Electron: calls go through main's own
 * router (sender check, the contract's validation) to a real VaultService, and
 * every answer is kept as text (to search it for passwords).
 */
import { createServer } from 'node:net';
import type { VaultService } from '../../../src/main/host/vault-service.js';
import { createIpcRouter } from '../../../src/main/ipc/ipc-router.js';
import { APP_INDEX_URL } from '../../../src/main/shell/app-protocol.js';
import {
  IPC_METHODS,
  type IpcMethodName,
  type IpcResult,
  type ServerConnectionRequest,
} from '../../../src/shared/ipc-contract.js';
import type { TestDatabase } from '../../support/servers/index.js';

export interface IpcCaller {
  /** every answer so far, as text */
  readonly answers: string[];
  call<M extends IpcMethodName>(method: M, ...args: unknown[]): Promise<IpcResult<unknown>>;
}

export function ipcCaller(service: VaultService): IpcCaller {
  const router = createIpcRouter({
    service,
    dialogs: { chooseVaultFile: async () => null, chooseReportDestination: async () => null },
    isTrustedSender: () => true,
    warn: () => undefined,
  });
  const sender = { url: APP_INDEX_URL, processId: 1, routingId: 1 };
  const answers: string[] = [];
  return {
    answers,
    async call(method, ...args) {
      const answer = await router[IPC_METHODS[method].channel](sender, args);
      answers.push(JSON.stringify(answer));
      return answer;
    },
  };
}

/** The connect form of a test database (no TLS: the server is this machine). */
export function connectForm(
  db: TestDatabase,
  extra: Partial<ServerConnectionRequest> = {},
): ServerConnectionRequest {
  return {
    dialect: db.kind,
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    tls: 'disable',
    caFile: null,
    ...extra,
  };
}

/** A port nothing listens on: bound once by us, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The PostgreSQL connect form (the tests' usual server). */
export const postgresForm = connectForm;
