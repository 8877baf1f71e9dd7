/**
 * Connecting to a PostgreSQL vault: the server VaultStore of this folder
 * (store.ts). Loaded by the descriptor (driver.ts) on connect only, so `pg`
 * is not imported by a run that opens no PostgreSQL vault.
 */
import pg from 'pg';
import type { ServerConnectOptions } from '../driver.js';
import type { VaultStore } from '../types.js';
import { clientConfig, passwordSource, tlsOptionsFor } from './client-config.js';
import { pgEngineError } from './errors.js';
import { guardPasswordRequests } from './password-guard.js';
import { PostgresVaultStore } from './store.js';
import { SESSION_TIMEOUTS, SESSION_TIMEOUTS_OFF_SQL } from './session-timeouts.js';

/** Opens one connection; SERVER_UNREACHABLE / SERVER_AUTH / DATABASE_NOT_FOUND when it cannot. */
async function openClient(
  config: pg.ClientConfig,
  options: ServerConnectOptions,
): Promise<pg.Client> {
  const client = new pg.Client(config);
  guardPasswordRequests(client, options.target);
  // Until the store listens: a failed connect also emits 'error', which must not end the process.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    await client.connect();
    await client.query(SESSION_TIMEOUTS_OFF_SQL, [SESSION_TIMEOUTS]);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw pgEngineError(error, {
      display: options.target.display,
      action: 'connecting to',
      busyTimeoutMs: options.busyTimeoutMs,
      connected: false,
    });
  }
  return client;
}

export async function connectPostgres(options: ServerConnectOptions): Promise<VaultStore> {
  const { target } = options;
  // Our own copy (the caller zeroes theirs after connect): the backup opens a second connection later.
  const password = options.password === null ? null : Uint8Array.from(options.password);
  const config = clientConfig(
    options,
    passwordSource(password, target.display),
    tlsOptionsFor(target),
  );
  const forget = (): void => {
    password?.fill(0);
  };
  let client: pg.Client;
  try {
    client = await openClient(config, options);
  } catch (error) {
    forget();
    throw error;
  }
  let store: PostgresVaultStore | null = null;
  try {
    store = new PostgresVaultStore(client, {
      display: target.display,
      database: target.database,
      readOnly: options.readOnly,
      busyTimeoutMs: options.busyTimeoutMs,
      serverTimeoutMs: options.serverTimeoutMs,
      nativeBinding: options.nativeBinding,
      openSecondClient: () => openClient(config, options),
      onClose: forget,
    });
    await store.verifyOnConnect();
    return store;
  } catch (error) {
    if (store) await store.close();
    else {
      forget();
      await client.end().catch(() => undefined);
    }
    throw pgEngineError(error, {
      display: target.display,
      action: 'reading',
      busyTimeoutMs: options.busyTimeoutMs,
      connected: true,
    });
  }
}
