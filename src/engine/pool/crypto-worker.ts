/**
 * Worker of the crypto pool: does all per-record crypto (parse, derive,
 * decrypt, derive the new key, encrypt) so the host thread only does SQLite
 * I/O. Tasks run one at a time, in arrival order.
 */
import { randomBytes } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { NONCE_LENGTH, saltLengthOf } from '../../core/argon2.js';
import {
  deriveV1Key,
  isV2Value,
  openV1WithKey,
  openV2WithKey,
  parseV2Value,
  sealV2,
} from '../codec/index.js';
import type { OpenResult } from '../codec/types.js';
import { isEngineError } from '../errors.js';
import type { Argon2Config } from '../../core/argon2.js';
import { loadArgon2idBackend } from '../kdf/index.js';
import type { Argon2idBackend } from '../kdf/types.js';
import {
  ABORT_SLOT,
  type CryptoOutcome,
  type CryptoTask,
  type CryptoTaskResult,
  type CryptoWorkerData,
  type HostToWorker,
  type WorkerToHost,
} from './protocol.js';
import { PeriodicCollector } from './worker-gc.js';

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('crypto-worker must run in a worker thread');
  return parentPort;
}
const port = requireParentPort();
const data = workerData as CryptoWorkerData;
const abortFlag = new Int32Array(data.abortFlag);
/** v1 XOR keys, derived once per password in this worker */
const v1Keys = new Map<number, Buffer>();

const post = (message: WorkerToHost): void => port.postMessage(message);
const isAborted = (): boolean => Atomics.load(abortFlag, ABORT_SLOT) !== 0;

function passwordAt(index: number): Uint8Array {
  const password = data.passwords[index];
  if (!password) throw new Error(`no password at index ${index}`);
  return password;
}

function v1KeyFor(index: number): Buffer {
  let key = v1Keys.get(index);
  if (!key) {
    key = deriveV1Key(passwordAt(index));
    v1Keys.set(index, key);
  }
  return key;
}

interface Opened {
  readonly result: OpenResult;
  readonly derivations: number;
  readonly deriveMs: number;
}

async function openWith(
  kdf: Argon2idBackend,
  value: string,
  passwordIndex: number,
  config: Argon2Config,
): Promise<Opened> {
  if (!isV2Value(value))
    return { result: openV1WithKey(value, v1KeyFor(passwordIndex)), derivations: 0, deriveMs: 0 };
  const parsed = parseV2Value(value, config);
  if (!parsed.ok) {
    return {
      result: { ok: false, version: 'v2', reason: 'malformed', detail: parsed.detail },
      derivations: 0,
      deriveMs: 0,
    };
  }
  const started = performance.now();
  const key = await kdf.deriveKey(passwordAt(passwordIndex), parsed.salt, config);
  const deriveMs = performance.now() - started;
  try {
    return { result: openV2WithKey(parsed, key), derivations: 1, deriveMs };
  } finally {
    key.fill(0);
  }
}

/** Encrypts with a fresh salt and nonce, then checks the new value opens to the same bytes. */
async function seal(
  kdf: Argon2idBackend,
  plaintext: Buffer,
  password: Uint8Array,
  config: Argon2Config = data.writeConfig,
) {
  const salt = randomBytes(saltLengthOf(config));
  const nonce = randomBytes(NONCE_LENGTH);
  const started = performance.now();
  const key = await kdf.deriveKey(password, salt, config);
  const deriveMs = performance.now() - started;
  try {
    const newValue = sealV2(plaintext, key, salt, nonce, config);
    // Cheap (no derivation): never hand back a value that would not open.
    const parsed = parseV2Value(newValue, config);
    const check = parsed.ok ? openV2WithKey(parsed, key) : null;
    const same = check?.ok === true && check.plaintext.equals(plaintext);
    if (check?.ok) check.plaintext.fill(0);
    if (!same) throw new Error('a freshly sealed value did not open to the same plaintext');
    return { newValue, deriveMs };
  } finally {
    key.fill(0);
  }
}

function failureOutcome(result: Extract<OpenResult, { ok: false }>): CryptoOutcome {
  return result.reason === 'malformed'
    ? { kind: 'malformed', version: result.version, detail: result.detail }
    : { kind: 'not-opened', version: result.version };
}

const ABORTED: CryptoTaskResult = {
  outcome: { kind: 'aborted' },
  derivations: 0,
  openDeriveMs: 0,
  writeDeriveMs: 0,
};

async function runTask(kdf: Argon2idBackend, task: CryptoTask): Promise<CryptoTaskResult> {
  if (isAborted()) return ABORTED;
  if (task.op === 'probe-write') {
    // A throwaway password and plaintext: only the time matters.
    const probe = await seal(kdf, randomBytes(16), randomBytes(16));
    return {
      outcome: { kind: 'probed' },
      derivations: 1,
      openDeriveMs: 0,
      writeDeriveMs: probe.deriveMs,
    };
  }
  if (task.op === 'seal') {
    // Random plaintext: the canary proves the password, and holds nothing of the vault.
    const config = task.config === 'write' ? data.writeConfig : data.openConfig;
    const canary = await seal(kdf, randomBytes(16), passwordAt(task.password), config);
    return {
      outcome: { kind: 'sealed', newValue: canary.newValue },
      derivations: 1,
      openDeriveMs: 0,
      writeDeriveMs: canary.deriveMs,
    };
  }
  const passwordIndex = task.op === 'open' ? task.password : task.from;
  const config = task.op === 'open' && task.config === 'write' ? data.writeConfig : data.openConfig;
  const opened = await openWith(kdf, task.value, passwordIndex, config);
  const base = { derivations: opened.derivations, openDeriveMs: opened.deriveMs, writeDeriveMs: 0 };
  const { result } = opened;
  if (!result.ok) return { ...base, outcome: failureOutcome(result) };
  try {
    if (task.op === 'open')
      return { ...base, outcome: { kind: 'opened', version: result.version } };
    // Opened but not yet re-encrypted: a cancelled job must not pay a second derivation.
    if (isAborted()) return { ...base, outcome: { kind: 'aborted' } };
    const sealed = await seal(kdf, result.plaintext, passwordAt(task.to));
    return {
      outcome: { kind: 'rotated', version: result.version, newValue: sealed.newValue },
      derivations: base.derivations + 1,
      openDeriveMs: base.openDeriveMs,
      writeDeriveMs: sealed.deriveMs,
    };
  } finally {
    result.plaintext.fill(0);
  }
}

function zeroSecrets(): boolean {
  for (const password of data.passwords) password.fill(0);
  for (const key of v1Keys.values()) key.fill(0);
  const zero = (bytes: Uint8Array): boolean => bytes.every((byte) => byte === 0);
  const zeroed = data.passwords.every(zero) && [...v1Keys.values()].every(zero);
  v1Keys.clear();
  return zeroed;
}

async function main(): Promise<void> {
  let kdf: Argon2idBackend;
  try {
    kdf = await loadArgon2idBackend(data.kdfBackend);
  } catch (error) {
    post({
      type: 'init-failed',
      code: isEngineError(error) ? error.code : 'WORKER_FAILED',
      message: error instanceof Error ? error.message : String(error),
    });
    return;
  }

  // Tasks run strictly one after another: a worker is one derivation at a time.
  let queue: Promise<void> = Promise.resolve();
  const collector = new PeriodicCollector();
  port.on('message', (message: HostToWorker) => {
    if (message.type === 'close') {
      queue = queue.then(() => post({ type: 'closed', zeroed: zeroSecrets() }));
      return;
    }
    const { id, task } = message;
    queue = queue.then(async () => {
      const v1Before = v1Keys.size;
      try {
        const result = await runTask(kdf, task);
        post({ type: 'result', id, result, v1KeysDerived: v1Keys.size - v1Before });
        collector.taskDone('value' in task ? task.value.length : 0);
      } catch (error) {
        post({
          type: 'task-failed',
          id,
          code: isEngineError(error) ? error.code : 'WORKER_FAILED',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  });
  post({ type: 'ready', backend: kdf.name });
}

void main();
