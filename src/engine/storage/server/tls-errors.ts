/**
 * A server whose certificate could not be verified: not "unreachable" but
 * "not proven to be the host named", with what the user can do about it.
 */
import { EngineError } from '../../errors.js';
import type { ServerDialect, TlsMode } from './server-target.js';

/** How a connection that did not prove the server's name was made, for a refusal message. */
export function unverifiedConnection(tls: TlsMode | null, parameter: string): string {
  return tls === null || tls === 'disable'
    ? 'without TLS'
    : `with ${parameter}=${tls}, which does not check that the certificate names the host`;
}

/** Node's codes for a certificate that does not verify (chain, name, dates). */
const CERTIFICATE_CODE =
  /^(ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|ERR_TLS_CERT)/;

/** mysql2 renames every TLS failure HANDSHAKE_SSL_ERROR: then only Node's message tells. */
const CERTIFICATE_MESSAGE = /certificate|Hostname\/IP does not match/i;

export function isCertificateError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return false;
  return (
    CERTIFICATE_CODE.test(code) ||
    (code === 'HANDSHAKE_SSL_ERROR' && CERTIFICATE_MESSAGE.test(String(message)))
  );
}

export function certificateError(
  display: string,
  dialect: ServerDialect,
  error: unknown,
): EngineError {
  const reason = error instanceof Error ? error.message : String(error);
  const [ca, weaker] =
    dialect === 'postgres'
      ? ['sslrootcert=FILE', 'sslmode=require']
      : ['ssl-ca=FILE', 'ssl-mode=REQUIRED'];
  return new EngineError(
    'SERVER_UNREACHABLE',
    `The server at ${display} did not prove it is that host: its TLS certificate could not be verified ` +
      `(${reason}). Nothing was sent to it. If a private CA signed the certificate, give that CA's file with ` +
      `${ca} in the connection string; check that the host name is the one the certificate names. Only if ` +
      `you accept that whoever answers at that address may be someone else, connect with ${weaker} ` +
      '(encrypted, certificate not checked; the password is then never sent in a form the server can read).',
    { cause: error },
  );
}
