/**
 * A TCP proxy in front of a database server that can go silent: after
 * stall(), every byte either side sends is dropped and no connection is
 * closed, as on a network that black-holes packets (no reset, no error).
 * heal() ends the stalled connections (the server then sees its sessions
 * end) and forwards new ones again. Test support only.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface StallProxy {
  readonly port: number;
  /** From now on nothing is forwarded, on open connections and new ones. */
  stall(): void;
  /** Stalls the moment the client sends while `when()` holds (checked on each chunk it sends). */
  stallWhen(when: () => boolean): void;
  readonly stalled: boolean;
  /** Ends every connection made so far and forwards new ones again. */
  heal(): void;
  close(): Promise<void>;
}

export async function startStallProxy(host: string, port: number): Promise<StallProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  let trigger: (() => boolean) | null = null;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };

  const server: Server = createServer((client) => {
    track(client);
    const upstream = connect({ host, port });
    track(upstream);
    client.on('data', (chunk) => {
      if (!stalled && trigger?.()) stalled = true;
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!stalled) client.write(chunk);
    });
    // A side that ends on its own (not stalled) ends the other.
    client.on('close', () => {
      if (!stalled) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!stalled) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');

  return {
    port: address.port,
    stall() {
      stalled = true;
    },
    stallWhen(when) {
      trigger = when;
    },
    get stalled() {
      return stalled;
    },
    heal() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      trigger = null;
      stalled = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `work` with a proxy in front of a test database and its URL through the proxy; closes it after. */
export async function withStallProxy<T>(
  db: { readonly host: string; readonly port: number; readonly url: string },
  work: (proxy: StallProxy, url: string) => Promise<T>,
): Promise<T> {
  const proxy = await startStallProxy(db.host, db.port);
  try {
    return await work(proxy, db.url.replace(`:${db.port}/`, `:${proxy.port}/`));
  } finally {
    await proxy.close();
  }
}
