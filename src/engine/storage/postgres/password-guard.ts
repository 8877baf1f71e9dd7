/**
 * A PostgreSQL server asking for the password in a form it can read
 * (cleartext, or MD5, which is as good as the password for logging in and
 * cheap to guess from) gets nothing unless TLS proved it is the host named
 * (verify-full). Anyone able to answer on the network could ask so. SCRAM
 * proves knowledge of the password without revealing it, so it is always
 * answered (with channel binding when TLS is on).
 */
import type pg from 'pg';
import { EngineError } from '../../errors.js';
import { serverIdentityVerified, type ServerTarget } from '../server/server-target.js';
import { unverifiedConnection } from '../server/tls-errors.js';

type PasswordRequest = 'cleartext' | 'MD5';

/** node-postgres sends cleartext and MD5 answers through this one method of its connection. */
interface PasswordSender {
  password(text: string): void;
  on(event: string, listener: () => void): unknown;
  emit(event: 'error', error: Error): boolean;
}

export function passwordRefusedError(
  target: Pick<ServerTarget, 'display' | 'tls'>,
  request: PasswordRequest,
): EngineError {
  const how = unverifiedConnection(target.tls, 'sslmode');
  return new EngineError(
    'SERVER_AUTH',
    `${target.display} asked for the password in ${request === 'MD5' ? 'MD5 form' : 'clear text'} over a ` +
      `connection ${how}, so whoever answered there could read it. The password was not sent. Connect with ` +
      'sslmode=verify-full (with sslrootcert=FILE when a private CA signed the server certificate), or have ' +
      "the server's administrator use scram-sha-256 for this login (pg_hba.conf, password_encryption).",
  );
}

/**
 * Makes `client` refuse cleartext and MD5 password requests unless the
 * target is verified. Call before connect(): the refusal fails the connect.
 */
export function guardPasswordRequests(
  client: pg.Client,
  target: Pick<ServerTarget, 'display' | 'tls'>,
): void {
  if (serverIdentityVerified(target)) return;
  const connection = client.connection as unknown as PasswordSender;
  let request: PasswordRequest = 'cleartext';
  connection.on('authenticationCleartextPassword', () => (request = 'cleartext'));
  connection.on('authenticationMD5Password', () => (request = 'MD5'));
  // The one way out for a readable password; also covers a request after SCRAM already ran.
  connection.password = () => {
    connection.emit('error', passwordRefusedError(target, request));
  };
}
