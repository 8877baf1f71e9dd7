/**
 * A server's host name that does not resolve is not a server that "did not
 * answer": the fix is the name (a typo, a missing DNS entry, no network), not
 * the server. Shared by the PostgreSQL and MySQL error translations.
 */
import { EngineError } from '../../errors.js';

/** getaddrinfo's answers: no such name, or the name server did not answer (try again). */
const NAME_ERRNOS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'no address is known for that name',
  EAI_AGAIN: 'the name server did not answer',
};

/** HOST_NOT_FOUND for a name lookup failure; null for any other error. */
export function hostNotFoundError(
  errno: string | undefined,
  display: string,
  cause: unknown,
): EngineError | null {
  const why = errno === undefined ? undefined : NAME_ERRNOS[errno];
  if (why === undefined) return null;
  return new EngineError(
    'HOST_NOT_FOUND',
    `The host name of ${display} was not found (${errno}: ${why}). Check its spelling, that this ` +
      'computer can resolve it (DNS, VPN, /etc/hosts), or give the server’s IP address instead.',
    { cause },
  );
}
