/**
 * Host names mapped to 127.0.0.1 for one test, without /etc/hosts: Node's
 * net (and so node-postgres and mysql2) resolves through dns.lookup, which is
 * replaced until the returned function restores it.
 */
import dns from 'node:dns';

type LookupCallback = (error: Error | null, address: unknown, family?: number) => void;

export function mapHostsToLoopback(names: readonly string[]): () => void {
  const original = dns.lookup;
  const mapped = new Set(names.map((name) => name.toLowerCase()));
  const lookup = (host: string, options: unknown, callback?: LookupCallback): void => {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as {
      all?: boolean;
    };
    if (!mapped.has(host.toLowerCase())) {
      (original as (h: string, o: unknown, c: LookupCallback) => void)(host, opts, done);
      return;
    }
    if (opts.all) process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(done, null, '127.0.0.1', 4);
  };
  (dns as { lookup: unknown }).lookup = lookup;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}
