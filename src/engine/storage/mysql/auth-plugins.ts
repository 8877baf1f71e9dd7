/**
 * MySQL's caching_sha2_password and sha256_password, answered so that the
 * password itself goes only to a server TLS proved is the host named
 * (verify-full), or encrypted to an RSA key the user chose: the key file they
 * gave (the mysql client's --server-public-key-path), or, when they said so
 * (--get-server-public-key), the key the server sends. Without either, full
 * authentication is refused: any server can send a key, or ask for the
 * password in clear over TLS it never proved. mysql2's own plugins would
 * answer both. The scramble-based answers (caching_sha2's fast path,
 * mysql_native_password) reveal no password and stay as they are.
 */
import { constants, createHash, publicEncrypt } from 'node:crypto';
import type { ConnectionOptions } from 'mysql2/promise';
import { EngineError } from '../../errors.js';
import { serverIdentityVerified, type ServerTarget } from '../server/server-target.js';
import { unverifiedConnection } from '../server/tls-errors.js';

type AuthPlugins = NonNullable<ConnectionOptions['authPlugins']>;

export interface FullAuthPolicy {
  readonly target: Pick<ServerTarget, 'display' | 'tls' | 'getServerPublicKey'>;
  /** the RSA public key (PEM) the user gave, or null */
  readonly publicKey: string | null;
}

/** Thrown inside mysql2's auth machinery (which renames error codes): carries the EngineError. */
export class FullAuthRefused extends Error {
  constructor(readonly engineError: EngineError) {
    super(engineError.message);
  }
}

const SCRAMBLE_BYTES = 20;
const CACHING_FAST_AUTH_OK = 3;
const CACHING_FULL_AUTH = 4;
const CACHING_REQUEST_KEY = Buffer.from([2]);
const SHA256_REQUEST_KEY = Buffer.from([1]);

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** caching_sha2_password's scramble answer: SHA256(p) XOR SHA256(SHA256(SHA256(p)) + scramble). */
function scrambleToken(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  const stage3 = sha256(Buffer.concat([sha256(stage1), scramble]));
  return Buffer.from(stage1.map((byte, i) => byte ^ stage3[i]!));
}

function clearPassword(password: string): Buffer {
  return Buffer.from(`${password}\0`, 'utf8');
}

/** The password (NUL-terminated, XORed with the scramble) RSA-OAEP encrypted to `key`. */
function encryptedPassword(password: string, scramble: Buffer, key: string | Buffer): Buffer {
  const plain = clearPassword(password);
  const mixed = Buffer.from(plain.map((byte, i) => byte ^ scramble[i % scramble.length]!));
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, mixed);
}

export function fullAuthRefusedError(
  target: Pick<ServerTarget, 'display' | 'tls'>,
  plugin: string,
): EngineError {
  const how = unverifiedConnection(target.tls, 'ssl-mode');
  return new EngineError(
    'SERVER_AUTH',
    `${target.display} asked for the password itself (${plugin} full authentication) over a connection ` +
      `${how}, so whoever answered there could read it or hand over its own key. The password was not ` +
      'sent. Connect with ssl-mode=VERIFY_IDENTITY (with ssl-ca=FILE when a private CA signed the server ' +
      "certificate), or give the server's RSA public key file with server-public-key-path=FILE in the " +
      'connection string (as the mysql client takes --server-public-key-path), or, if you trust whatever ' +
      'server answers at that address, get-server-public-key=true.',
  );
}

/**
 * The answer to full authentication (both plugins): the password in clear
 * over verified TLS, encrypted to the user's key file, or a key request when
 * the user allowed one; otherwise a refusal, and nothing is sent.
 */
function fullAuthAnswer(
  policy: FullAuthPolicy,
  plugin: string,
  requestKey: Buffer,
  password: string,
  scramble: Buffer,
): { answer: Buffer; awaitKey: boolean } {
  if (serverIdentityVerified(policy.target))
    return { answer: clearPassword(password), awaitKey: false };
  if (policy.publicKey !== null) {
    return { answer: encryptedPassword(password, scramble, policy.publicKey), awaitKey: false };
  }
  if (policy.target.getServerPublicKey) return { answer: requestKey, awaitKey: true };
  throw new FullAuthRefused(fullAuthRefusedError(policy.target, plugin));
}

type Handler = (data: Buffer) => Buffer | null;

/** mysql2 `authPlugins` for a target. */
export function mysqlAuthPlugins(policy: FullAuthPolicy): AuthPlugins {
  return {
    caching_sha2_password: ({ connection }) =>
      rejecting(cachingSha2(policy, passwordOf(connection.config))),
    sha256_password: ({ connection }) =>
      rejecting(sha256Password(policy, passwordOf(connection.config))),
  };
}

/** mysql2 reports a rejected answer as the login's failure; a synchronous throw would escape its handler. */
function rejecting(handler: Handler): (data: Buffer) => Promise<Buffer> | Buffer | null {
  return (data) => {
    try {
      return handler(data);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

function passwordOf(config: { password?: string }): string {
  return config.password ?? '';
}

function cachingSha2(policy: FullAuthPolicy, password: string): Handler {
  let scramble = Buffer.alloc(0);
  let state: 'initial' | 'token-sent' | 'await-key' | 'done' = 'initial';
  return (data) => {
    if (state === 'initial') {
      scramble = Buffer.from(data.subarray(0, SCRAMBLE_BYTES));
      state = 'token-sent';
      return scrambleToken(password, scramble);
    }
    if (state === 'token-sent' && data.length === 1 && data[0] === CACHING_FAST_AUTH_OK) {
      state = 'done';
      return null;
    }
    if (state === 'token-sent' && data.length === 1 && data[0] === CACHING_FULL_AUTH) {
      const next = fullAuthAnswer(
        policy,
        'caching_sha2_password',
        CACHING_REQUEST_KEY,
        password,
        scramble,
      );
      state = next.awaitKey ? 'await-key' : 'done';
      return next.answer;
    }
    if (state === 'await-key') {
      state = 'done';
      return encryptedPassword(password, scramble, data);
    }
    throw new Error(`Unexpected caching_sha2_password data from ${policy.target.display}.`);
  };
}

function sha256Password(policy: FullAuthPolicy, password: string): Handler {
  let scramble = Buffer.alloc(0);
  let state: 'initial' | 'await-key' | 'done' = 'initial';
  return (data) => {
    if (state === 'await-key') {
      state = 'done';
      return encryptedPassword(password, scramble, data);
    }
    if (state === 'done')
      throw new Error(`Unexpected sha256_password data from ${policy.target.display}.`);
    scramble = Buffer.from(data.subarray(0, SCRAMBLE_BYTES));
    const next = fullAuthAnswer(policy, 'sha256_password', SHA256_REQUEST_KEY, password, scramble);
    state = next.awaitKey ? 'await-key' : 'done';
    return next.answer;
  };
}
