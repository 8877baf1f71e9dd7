/**
 * Enough of PostgreSQL's wire protocol to ask for a password: answers an
 * SSLRequest ('S' and TLS when the fake has a certificate, else 'N'), takes
 * the startup message, asks for the password in clear text or MD5, and
 * refuses whatever comes back.
 */
import { FakeServer, type Conversation, type Speaker, type TlsIdentity } from './fake-server.js';

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;

export type PgPasswordRequest = 'cleartext' | 'md5';

function authRequest(kind: PgPasswordRequest): Buffer {
  if (kind === 'cleartext') {
    const message = Buffer.alloc(9);
    message.write('R', 0);
    message.writeInt32BE(8, 1);
    message.writeInt32BE(3, 5);
    return message;
  }
  const message = Buffer.alloc(13);
  message.write('R', 0);
  message.writeInt32BE(12, 1);
  message.writeInt32BE(5, 5);
  Buffer.from([1, 2, 3, 4]).copy(message, 9);
  return message;
}

function errorResponse(text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0C28P01\0M${text}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([header, fields]);
}

/** Messages the fake saw after the password request, by type byte ('p': a password answer, 'X': goodbye). */
export interface PgFake {
  readonly server: FakeServer;
  readonly answers: string[];
}

function pgSpeaker(request: PgPasswordRequest, answers: string[]): Speaker {
  let stage: 'startup' | 'auth' | 'done' = 'startup';
  return (conversation: Conversation) => {
    while (conversation.buffer.length >= (stage === 'startup' ? 8 : 5)) {
      const buffer = conversation.buffer;
      if (stage === 'startup') {
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        conversation.buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) {
          if (!conversation.startTls('S')) conversation.socket.write('N');
          continue;
        }
        if (code !== PROTOCOL_3) return void conversation.socket.destroy();
        stage = 'auth';
        conversation.socket.write(authRequest(request));
        continue;
      }
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) return;
      answers.push(String.fromCharCode(buffer[0]!));
      conversation.buffer = buffer.subarray(1 + length);
      stage = 'done';
      conversation.socket.end(errorResponse('password authentication failed'));
    }
  };
}

export async function startFakePostgres(
  request: PgPasswordRequest,
  tls: TlsIdentity | null,
): Promise<PgFake> {
  const answers: string[] = [];
  const server = await FakeServer.start(() => pgSpeaker(request, answers), tls);
  return { server, answers };
}
