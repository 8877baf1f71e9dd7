/**
 * Enough of the MySQL protocol to push a client into full authentication: a
 * v10 handshake (offering TLS when the fake has a certificate), an auth
 * switch to caching_sha2_password followed by "perform full
 * authentication", or to sha256_password (full authentication from the
 * start), and on a key request its own RSA public key, so that a password
 * encrypted to that key is readable here (recorded in `decrypted`).
 */
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { FakeServer, type Conversation, type Speaker, type TlsIdentity } from './fake-server.js';

const CLIENT_SSL = 0x800;
const CAPABILITIES = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000 | 0x200000; // no CLIENT_SSL unless TLS is offered

export interface MysqlFake {
  readonly server: FakeServer;
  /** the RSA key pair the fake hands out on a key request */
  readonly publicKeyPem: string;
  /** packets the client sent after being asked for full authentication (payloads) */
  readonly fullAuthAnswers: Buffer[];
  /** passwords recovered from answers encrypted to the fake's key */
  readonly decrypted: string[];
}

function packet(sequence: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = sequence & 0xff;
  return Buffer.concat([header, payload]);
}

function handshake(scramble: Buffer, tls: boolean): Buffer {
  const flags = CAPABILITIES | (tls ? CLIENT_SSL : 0);
  return Buffer.concat([
    Buffer.from([10]),
    Buffer.from('8.0.36-fake\0', 'latin1'),
    uint32(7),
    scramble.subarray(0, 8),
    Buffer.from([0]),
    uint16(flags & 0xffff),
    Buffer.from([45]), // utf8mb4_general_ci
    uint16(2),
    uint16(flags >>> 16),
    Buffer.from([21]),
    Buffer.alloc(10),
    scramble.subarray(8, 20),
    Buffer.from([0]),
    Buffer.from('caching_sha2_password\0', 'latin1'),
  ]);
}

function uint16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}

function accessDenied(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff]),
    uint16(1045),
    Buffer.from('#28000Access denied (fake server)', 'latin1'),
  ]);
}

export type MysqlFullAuthPlugin = 'caching_sha2_password' | 'sha256_password';

/** The byte a client sends to ask for the server's RSA key, per plugin. */
const KEY_REQUEST: Record<MysqlFullAuthPlugin, number> = {
  caching_sha2_password: 2,
  sha256_password: 1,
};

function mysqlSpeaker(
  fake: Omit<MysqlFake, 'server'>,
  privateKeyPem: string,
  tlsOffered: boolean,
  plugin: MysqlFullAuthPlugin,
): Speaker {
  const scramble = randomBytes(20);
  let stage: 'greeting' | 'switched' | 'full-auth' | 'key-sent' | 'done' = 'greeting';
  let greeted = false;
  return (conversation: Conversation) => {
    if (!greeted) {
      greeted = true;
      conversation.socket.write(packet(0, handshake(scramble, tlsOffered)));
      return;
    }
    while (conversation.buffer.length >= 4) {
      const length = conversation.buffer.readUIntLE(0, 3);
      if (conversation.buffer.length < 4 + length) return;
      const sequence = conversation.buffer[3]!;
      const payload = conversation.buffer.subarray(4, 4 + length);
      conversation.buffer = conversation.buffer.subarray(4 + length);
      const reply = (body: Buffer): void =>
        void conversation.socket.write(packet(sequence + 1, body));
      if (stage === 'greeting') {
        const flags = payload.readUInt32LE(0);
        if (length === 32 && (flags & CLIENT_SSL) !== 0) {
          if (!conversation.startTls(null)) return void conversation.socket.destroy();
          continue;
        }
        // The handshake response: switch to the plugin with a fresh scramble.
        stage = plugin === 'sha256_password' ? 'full-auth' : 'switched';
        reply(
          Buffer.concat([
            Buffer.from([0xfe]),
            Buffer.from(`${plugin}\0`, 'latin1'),
            scramble,
            Buffer.from([0]),
          ]),
        );
      } else if (stage === 'switched') {
        // the scramble token: not enough to log in, ask for the password itself
        stage = 'full-auth';
        reply(Buffer.from([0x01, 0x04]));
      } else if (
        stage === 'full-auth' &&
        payload.length === 1 &&
        payload[0] === KEY_REQUEST[plugin]
      ) {
        fake.fullAuthAnswers.push(Buffer.from(payload));
        stage = 'key-sent';
        reply(Buffer.concat([Buffer.from([0x01]), Buffer.from(fake.publicKeyPem, 'latin1')]));
      } else {
        fake.fullAuthAnswers.push(Buffer.from(payload));
        if (stage === 'key-sent') fake.decrypted.push(decrypt(payload, privateKeyPem, scramble));
        stage = 'done';
        conversation.socket.end(packet(sequence + 1, accessDenied()));
      }
    }
  };
}

function decrypt(payload: Buffer, privateKeyPem: string, scramble: Buffer): string {
  const mixed = privateDecrypt(
    { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    payload,
  );
  const plain = Buffer.from(mixed.map((byte, i) => byte ^ scramble[i % scramble.length]!));
  return plain.subarray(0, plain.indexOf(0)).toString('utf8');
}

export async function startFakeMysql(
  tls: TlsIdentity | null,
  plugin: MysqlFullAuthPlugin = 'caching_sha2_password',
): Promise<MysqlFake> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const state = {
    publicKeyPem: publicKey,
    fullAuthAnswers: [] as Buffer[],
    decrypted: [] as string[],
  };
  const server = await FakeServer.start(
    () => mysqlSpeaker(state, privateKey, tls !== null, plugin),
    tls,
  );
  return { server, ...state };
}
