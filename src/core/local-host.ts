/**
 * Whether a host is this machine: `localhost`, a literal loopback address
 * (127.0.0.0/8, ::1) or a socket path. A NAME that starts with "127."
 * (127.db.example.com) is another machine. Node-free: the connect form uses
 * it to pick its TLS default, the engine to pick a connection string's.
 */
const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isLocalHost(host: string): boolean {
  if (host === 'localhost' || host === '::1' || host.startsWith('/')) return true;
  const octets = IPV4_LOOPBACK.exec(host);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}
