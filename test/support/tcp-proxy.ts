/**
 * A TCP proxy in front of a server (Redis, PostgreSQL, MariaDB) whose link
 * the fault tests can break the two ways networks break:
 *
 * - blackhole(): packets vanish. Nothing is forwarded either way and no
 *   socket is closed, so neither side learns anything (no reset, no FIN);
 *   only its own timeouts can tell. New connections are accepted and
 *   equally silent. restore() delivers what was held, in order, as TCP's
 *   retransmissions would once the route is back, and forwards again.
 * - cut(): every connection is reset (RST both ways); new ones work.
 *
 * Test support only; it never reads the bytes it carries.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type Direction = 'toServer' | 'toClient';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  readonly blackholed: boolean;
  /** connections accepted so far (a client that reconnects shows here) */
  readonly accepted: number;
  /** connections open now */
  readonly open: number;
  /** bytes held by the black hole, per direction */
  held(): Record<Direction, number>;
  /** resolves once the black hole holds bytes going `direction` (a request swallowed) */
  whenHeld(direction: Direction): Promise<void>;
  blackhole(): void;
  restore(): void;
  cut(): void;
  close(): Promise<void>;
}

interface Link {
  readonly client: Socket;
  readonly server: Socket;
  readonly pending: Record<Direction, Buffer[]>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let blackholed = false;
  let accepted = 0;
  let waiters: { direction: Direction; resolve: () => void }[] = [];

  const heldBytes = (direction: Direction): number => {
    let total = 0;
    for (const link of links) for (const chunk of link.pending[direction]) total += chunk.length;
    return total;
  };

  const hold = (link: Link, direction: Direction, chunk: Buffer): void => {
    link.pending[direction].push(chunk);
    waiters = waiters.filter((waiter) => {
      if (waiter.direction !== direction) return true;
      waiter.resolve();
      return false;
    });
  };

  const flush = (link: Link): void => {
    for (const chunk of link.pending.toServer.splice(0)) link.server.write(chunk);
    for (const chunk of link.pending.toClient.splice(0)) link.client.write(chunk);
  };

  const proxy: Server = createServer((client) => {
    accepted += 1;
    const server = connect({ host: target.host, port: target.port });
    const link: Link = { client, server, pending: { toServer: [], toClient: [] } };
    links.add(link);
    const forward = (to: Socket, direction: Direction) => (chunk: Buffer) => {
      if (blackholed) hold(link, direction, chunk);
      else to.write(chunk);
    };
    client.on('data', forward(server, 'toServer'));
    server.on('data', forward(client, 'toClient'));
    // one side closing closes the other, as the end-to-end connection would
    const end = (): void => {
      links.delete(link);
      if (!client.destroyed) client.destroy();
      if (!server.destroyed) server.destroy();
    };
    for (const socket of [client, server]) {
      socket.on('error', () => undefined);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', resolve);
  });
  const port = (proxy.address() as { port: number }).port;
  const cut = (): void => {
    for (const link of [...links]) {
      links.delete(link);
      link.client.resetAndDestroy();
      link.server.resetAndDestroy();
    }
  };

  return {
    host: '127.0.0.1',
    port,
    get blackholed() {
      return blackholed;
    },
    get accepted() {
      return accepted;
    },
    get open() {
      return links.size;
    },
    held: () => ({ toServer: heldBytes('toServer'), toClient: heldBytes('toClient') }),
    whenHeld(direction) {
      if (heldBytes(direction) > 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ direction, resolve }));
    },
    blackhole() {
      blackholed = true;
    },
    restore() {
      blackholed = false;
      for (const link of links) flush(link);
    },
    cut,
    async close() {
      cut();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
