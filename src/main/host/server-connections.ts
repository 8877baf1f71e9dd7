/**
 * Vaults in database servers, as the app holds them: the connection string
 * main builds from the connect form (never with the password in it), and the
 * password bytes kept in main's memory for each server handle, so every job
 * on that handle can be given them without the page sending them again.
 */
import { parseServerTarget, type ServerTarget } from '../../engine/index.js';
import type { IpcResult, ServerConnection, VaultHandle } from '../../shared/ipc-contract.js';
import { invalidArgument } from '../../shared/ipc-validation.js';

const TLS_PARAMETER: Record<ServerConnection['tls'], string> = {
  disable: 'disable',
  require: 'require',
  'verify-full': 'verify-full',
};

export interface BuiltConnection {
  /** the connection string the engine opens (no password in it) */
  readonly url: string;
  readonly target: ServerTarget;
}

/**
 * The connection string of a validated connect form. The parts are encoded,
 * then the string is parsed back with the engine's own parser: anything that
 * does not come back as exactly the fields given (an injected "@", "/", "?")
 * is refused.
 */
export function buildConnectionString(connection: ServerConnection): IpcResult<BuiltConnection> {
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  const query = new URLSearchParams({ sslmode: TLS_PARAMETER[connection.tls] });
  if (connection.caFile !== null) query.set('sslrootcert', connection.caFile);
  const url =
    `${connection.dialect}://${encodeURIComponent(connection.user)}@${host}:${connection.port}/` +
    `${encodeURIComponent(connection.database)}?${query.toString()}`;
  let target: ServerTarget;
  try {
    target = parseServerTarget(url);
  } catch {
    return refused();
  }
  const same =
    target.dialect === connection.dialect &&
    target.host.toLowerCase() === connection.host.toLowerCase() &&
    target.port === connection.port &&
    target.database === connection.database &&
    target.user === connection.user &&
    target.tls === connection.tls &&
    target.caFile === connection.caFile;
  return same ? { ok: true, value: { url, target } } : refused();
}

function refused(): IpcResult<never> {
  return {
    ok: false,
    error: invalidArgument(
      'connection: the host, database or user name cannot be written into a connection string.',
    ),
  };
}

/**
 * The database password of each server handle, as UTF-8 bytes in this
 * process only. Jobs get a fresh copy each (moved to their thread, which
 * zeroes it); the kept bytes are zeroed when replaced, forgotten or at dispose.
 */
export class ServerPasswords {
  private readonly byHandle = new Map<VaultHandle, Uint8Array>();

  /** Takes ownership of `password` (the caller must not zero or reuse it). */
  keep(handle: VaultHandle, password: Uint8Array): void {
    this.forget(handle);
    this.byHandle.set(handle, password);
  }

  has(handle: VaultHandle): boolean {
    return this.byHandle.has(handle);
  }

  /** A fresh copy for one job, or undefined when none is kept (a file, or a closed server vault). */
  copyFor(handle: VaultHandle): Uint8Array<ArrayBuffer> | undefined {
    const kept = this.byHandle.get(handle);
    return kept ? new Uint8Array(kept) : undefined;
  }

  forget(handle: VaultHandle): void {
    this.byHandle.get(handle)?.fill(0);
    this.byHandle.delete(handle);
  }

  /** Zeroes and drops every password (app quit). */
  clear(): void {
    for (const password of this.byHandle.values()) password.fill(0);
    this.byHandle.clear();
  }
}
