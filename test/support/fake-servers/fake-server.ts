/**
 * A TCP server on 127.0.0.1 that plays one side of a database login and
 * keeps every byte the client sent (after TLS, when the conversation turns to
 * TLS), so a test can assert what reached it. `settled()` waits until every
 * connection it took has closed: the client has said all it will say.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';

export interface TlsIdentity {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface Conversation {
  /** the socket to talk on (TLS after `startTls`) */
  socket: Socket;
  /** bytes received so far and not yet taken by `take` */
  buffer: Buffer;
  /**
   * Sends `reply` (if any), then turns the conversation to TLS (server
   * side); false (nothing sent) when the fake has no certificate.
   */
  startTls(reply: string | null): boolean;
}

/** One connection's side of the login: called on connect, then whenever bytes arrive. */
export type Speaker = (conversation: Conversation) => void;

export class FakeServer {
  private readonly chunks: Buffer[] = [];
  private open = 0;
  private waiters: Array<() => void> = [];
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `speaker` makes a fresh Speaker (its own state) for each connection. */
  static async start(speaker: () => Speaker, tls: TlsIdentity | null): Promise<FakeServer> {
    let fake: FakeServer | null = null;
    const server = createServer((socket) => fake!.accept(socket, speaker(), tls));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    fake = new FakeServer(server, address.port);
    return fake;
  }

  /** Everything every client sent (application bytes). */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get connections(): number {
    return this.accepted;
  }

  /** Resolves once a connection was taken and every one has closed. */
  settled(): Promise<void> {
    if (this.accepted > 0 && this.open === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket, speak: Speaker, tls: TlsIdentity | null): void {
    this.accepted += 1;
    this.open += 1;
    let closed = false;
    const finish = (): void => {
      if (closed) return;
      closed = true;
      this.open -= 1;
      if (this.open === 0) for (const waiter of this.waiters.splice(0)) waiter();
    };
    const record = (bytes: Buffer): void => {
      this.chunks.push(Buffer.from(bytes));
    };
    const conversation: Conversation = {
      socket,
      buffer: Buffer.alloc(0),
      startTls: (reply) => {
        if (tls === null) return false;
        const raw = conversation.socket;
        if (reply !== null) raw.write(reply);
        raw.removeAllListeners('data');
        // The client may send its TLS hello in the same packet as its request: feed the rest in.
        const carrier = new Duplex({
          read: () => undefined,
          write: (chunk: Buffer, _encoding, done) => void raw.write(chunk, done),
          final: (done) => {
            raw.end();
            done();
          },
          destroy: (error, done) => {
            raw.destroy();
            done(error);
          },
        });
        raw.on('data', (data: Buffer) => carrier.push(data));
        raw.on('end', () => carrier.push(null));
        if (conversation.buffer.length > 0) carrier.push(conversation.buffer);
        const secure = new TLSSocket(carrier as unknown as Socket, {
          isServer: true,
          cert: tls.cert,
          key: tls.key,
        });
        secure.on('error', () => secure.destroy());
        conversation.socket = secure;
        conversation.buffer = Buffer.alloc(0);
        listen(secure);
        return true;
      },
    };
    const listen = (stream: Socket): void => {
      stream.on('data', (data: Buffer) => {
        record(data);
        conversation.buffer = Buffer.concat([conversation.buffer, data]);
        speak(conversation);
      });
    };
    socket.on('error', () => socket.destroy());
    socket.on('close', finish);
    listen(socket);
    speak(conversation);
  }
}
