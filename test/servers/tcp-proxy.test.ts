/**
 * The fault proxy of the distributed-rotation tests, in front of a real
 * Redis: a black hole swallows a request without closing anything and
 * restore() lets the same connection finish it; cut() resets connections
 * and the client's reconnection goes through again.
 */
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisUnavailable, startRedis, type ManagedRedis } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

describe('TCP fault proxy: bytes', () => {
  let echo: Server;
  let proxy: TcpProxy;
  beforeAll(async () => {
    echo = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    proxy = await startTcpProxy({
      host: '127.0.0.1',
      port: (echo.address() as { port: number }).port,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => echo.close(resolve));
  });

  it('holds both directions while black-holed and delivers in order after restore', async () => {
    const client = connect({ host: proxy.host, port: proxy.port });
    let received = '';
    let closed = false;
    client.on('data', (chunk: Buffer) => (received += chunk.toString()));
    client.on('close', () => (closed = true));
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('connect', resolve));
    client.write('one;');
    await waitUntil(() => received === 'one;');

    proxy.blackhole();
    client.write('two;');
    client.write('three;');
    await proxy.whenHeld('toServer');
    await waitUntil(() => proxy.held().toServer === 'two;three;'.length);
    expect(proxy.held().toClient).toBe(0);
    expect(received).toBe('one;');
    expect(closed).toBe(false);

    proxy.restore();
    await waitUntil(() => received === 'one;two;three;');
    expect(proxy.held()).toEqual({ toServer: 0, toClient: 0 });
    expect(proxy.accepted).toBe(1);
    client.destroy();
  });
});

describe.skipIf(redisUnavailable())('TCP fault proxy in front of Redis', () => {
  let redis: ManagedRedis;
  let proxy: TcpProxy;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startTcpProxy({ host: redis.info.host, port: redis.info.port });
    client = new Redis({ host: proxy.host, port: proxy.port, password: redis.info.password });
    client.on('error', () => undefined);
    expect(await client.ping()).toBe('PONG');
  });
  afterAll(async () => {
    client?.disconnect();
    await proxy?.close();
    await redis?.dispose();
  });

  it('a black hole swallows a command without closing the connection; restore completes it', async () => {
    const before = proxy.accepted;
    proxy.blackhole();
    let settled = false;
    const reply = client.set('through-the-hole', 'v').finally(() => (settled = true));
    await proxy.whenHeld('toServer');
    expect(settled).toBe(false);
    expect(client.status).toBe('ready');
    proxy.restore();
    expect(await reply).toBe('OK');
    expect(proxy.accepted).toBe(before);
    expect(await client.get('through-the-hole')).toBe('v');
  });

  it('cut resets the connection; the client reconnects through the proxy', async () => {
    const before = proxy.accepted;
    const closed = new Promise((resolve) => client.once('close', resolve));
    proxy.cut();
    await closed;
    expect(await client.ping()).toBe('PONG');
    expect(proxy.accepted).toBeGreaterThan(before);
    expect(proxy.open).toBe(1);
  });
});

/** Waits for a condition that the event loop will make true (bytes arriving). */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
