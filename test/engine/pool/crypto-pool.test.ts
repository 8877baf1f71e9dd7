import { afterEach, describe, expect, it } from 'vitest';
import { ARGON2_PRESETS } from '../../../src/core/argon2.js';
import { encodeV2Value, parseV2Value } from '../../../src/engine/codec/index.js';
import { EngineError } from '../../../src/engine/errors.js';
import { loadArgon2idBackend } from '../../../src/engine/kdf/index.js';
import { CryptoPool } from '../../../src/engine/pool/index.js';
import type { CryptoTaskResult } from '../../../src/engine/pool/index.js';
import { encodeV1Value, openStoredValue } from '../../support/vault-builder.js';

const tiny = ARGON2_PRESETS.tiny;
const A = 'pool-password-A-0123456789';
const B = 'pool-password-B-0123456789';
const C = 'pool-password-C-0123456789';
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function v2(plaintext: string, password: string, config = tiny): Promise<string> {
  return encodeV2Value(
    Buffer.from(plaintext),
    bytes(password),
    config,
    await loadArgon2idBackend('auto'),
  );
}

/** counts of active handles by type (workers, message ports, timers...) */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo())
    counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

const pools: CryptoPool[] = [];
async function startPool(...args: Parameters<typeof CryptoPool.start>): Promise<CryptoPool> {
  const pool = await CryptoPool.start(...args);
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

describe('CryptoPool', () => {
  it('opens, rotates and rejects values, reporting the derivations each one cost', async () => {
    const pool = await startPool({ size: 2, passwords: [bytes(A), bytes(B)], openConfig: tiny });
    const underA = await v2('secret under A', A);
    const underC = await v2('secret under C', C);
    const v1UnderA = encodeV1Value(Buffer.from('legacy secret'), A);

    const results = await Promise.all([
      pool.run({ op: 'open', value: underA, password: 0 }),
      pool.run({ op: 'open', value: underC, password: 0 }),
      pool.run({ op: 'rotate', value: underA, from: 0, to: 1 }),
      pool.run({ op: 'rotate', value: v1UnderA, from: 0, to: 1 }),
      pool.run({ op: 'rotate', value: underC, from: 0, to: 1 }),
      pool.run({ op: 'rotate', value: 'v2:not base64!', from: 0, to: 1 }),
    ]);
    const [openA, openC, rotateA, rotateV1, rotateC, malformed] = results as CryptoTaskResult[];

    expect(openA).toMatchObject({ outcome: { kind: 'opened', version: 'v2' }, derivations: 1 });
    expect(openC).toMatchObject({ outcome: { kind: 'not-opened', version: 'v2' }, derivations: 1 });
    expect(rotateA).toMatchObject({ outcome: { kind: 'rotated', version: 'v2' }, derivations: 2 });
    // v1 opens without Argon2id; only the new v2 value costs a derivation.
    expect(rotateV1).toMatchObject({ outcome: { kind: 'rotated', version: 'v1' }, derivations: 1 });
    expect(rotateC).toMatchObject({ outcome: { kind: 'not-opened' }, derivations: 1 });
    expect(malformed).toMatchObject({
      outcome: { kind: 'malformed', version: 'v2' },
      derivations: 0,
    });
    expect(pool.stats().derivations).toBe(6);

    for (const [result, plaintext] of [
      [rotateA, 'secret under A'],
      [rotateV1, 'legacy secret'],
    ] as const) {
      if (result?.outcome.kind !== 'rotated') throw new Error('expected a rotated value');
      expect(result.outcome.newValue.startsWith('v2:')).toBe(true);
      const withB = await openStoredValue(result.outcome.newValue, B, tiny);
      expect(withB.ok && withB.plaintext.toString()).toBe(plaintext);
      expect((await openStoredValue(result.outcome.newValue, A, tiny)).ok).toBe(false);
    }
  });

  it('writes every value with a fresh salt and nonce', async () => {
    const pool = await startPool({ size: 2, passwords: [bytes(A), bytes(B)], openConfig: tiny });
    const value = await v2('same plaintext', A);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => pool.run({ op: 'rotate', value, from: 0, to: 1 })),
    );
    const salts = new Set<string>();
    const nonces = new Set<string>();
    for (const result of results) {
      if (result.outcome.kind !== 'rotated') throw new Error('expected a rotated value');
      const parsed = parseV2Value(result.outcome.newValue);
      if (!parsed.ok) throw new Error(parsed.detail);
      salts.add(parsed.salt.toString('hex'));
      nonces.add(parsed.nonce.toString('hex'));
    }
    expect(salts.size).toBe(8);
    expect(nonces.size).toBe(8);
  });

  it('opens with the write config when a task asks for it, with the open config by default', async () => {
    const write = { iterations: 2, memoryKiB: 64, parallelism: 1 };
    const pool = await startPool({
      size: 1,
      passwords: [bytes(A), bytes(B)],
      openConfig: tiny,
      writeConfig: write,
    });
    const underBWrite = await v2('written under B', B, write);
    const underBOpen = await v2('stored under B', B);
    const [writeAsWrite, writeAsDefault, openAsWrite, openAsOpen] = await Promise.all([
      pool.run({ op: 'open', value: underBWrite, password: 1, config: 'write' }),
      pool.run({ op: 'open', value: underBWrite, password: 1 }),
      pool.run({ op: 'open', value: underBOpen, password: 1, config: 'write' }),
      pool.run({ op: 'open', value: underBOpen, password: 1, config: 'open' }),
    ]);
    expect(writeAsWrite?.outcome.kind).toBe('opened');
    expect(writeAsDefault?.outcome.kind).toBe('not-opened');
    expect(openAsWrite?.outcome.kind).toBe('not-opened');
    expect(openAsOpen?.outcome.kind).toBe('opened');
  });

  it('derives a v1 key at most once per password per worker', async () => {
    const pool = await startPool({ size: 2, passwords: [bytes(A), bytes(B)], openConfig: tiny });
    const underA = encodeV1Value(Buffer.from('v1 under A'), A);
    const underB = encodeV1Value(Buffer.from('v1 under B'), B);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        pool.run({ op: 'open', value: i % 2 ? underA : underB, password: i % 4 < 2 ? 0 : 1 }),
      ),
    );
    expect(results.filter((result) => result.outcome.kind === 'opened')).toHaveLength(20);
    expect(pool.stats().derivations).toBe(0);
    const v1Keys = pool.stats().v1KeysDerived;
    expect(v1Keys).toBeGreaterThanOrEqual(2);
    expect(v1Keys).toBeLessThanOrEqual(pool.size * 2);
  });

  it('after abort, tasks come back aborted and a rotation never pays its second derivation', async () => {
    // Default preset: a derivation is slow enough that abort() lands while the first task is still deriving.
    const config = ARGON2_PRESETS.default;
    const pool = await startPool({
      size: 1,
      passwords: [bytes(A), bytes(B)],
      openConfig: config,
      kdfBackend: 'native',
    });
    const value = await v2('slow secret', A, config);
    const pending = Array.from({ length: 6 }, () =>
      pool.run({ op: 'rotate', value, from: 0, to: 1 }),
    );
    pool.abort();
    const results = await Promise.all(pending);
    expect(results.map((result) => result.outcome.kind)).toEqual(Array(6).fill('aborted'));
    for (const result of results) expect(result.derivations).toBeLessThanOrEqual(1);
    expect(pool.stats().derivations).toBeLessThanOrEqual(1);
    expect(await pool.run({ op: 'open', value, password: 0 })).toMatchObject({
      outcome: { kind: 'aborted' },
    });
  });

  it('close() terminates every worker, has them zero their secrets and leaves no handle behind', async () => {
    const before = activeResources();
    const callerPassword = bytes(A);
    const pool = await CryptoPool.start({
      size: 2,
      passwords: [callerPassword, bytes(B)],
      openConfig: tiny,
    });
    expect(pool.workerCount).toBe(2);
    await pool.run({ op: 'rotate', value: encodeV1Value(Buffer.from('x'), A), from: 0, to: 1 });
    await pool.close();
    await pool.close(); // idempotent
    expect(pool.workerCount).toBe(0);
    expect(pool.secretsZeroed).toBe(true);
    // The caller's buffer is the caller's: the pool only zeroes its own copies.
    expect(Buffer.from(callerPassword).toString()).toBe(A);
    const after = activeResources();
    for (const [type, count] of after)
      expect(count, type).toBeLessThanOrEqual(before.get(type) ?? 0);
  });

  it('a failing task fails the pool with WORKER_FAILED instead of hanging', async () => {
    const pool = await startPool({ size: 1, passwords: [bytes(A)], openConfig: tiny });
    const value = await v2('x', A);
    const failure = await pool
      .run({ op: 'open', value, password: 7 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EngineError);
    expect((failure as EngineError).code).toBe('WORKER_FAILED');
    await expect(pool.run({ op: 'open', value, password: 0 })).rejects.toMatchObject({
      code: 'WORKER_FAILED',
    });
  });

  it('gives the same results on the wasm backend', async () => {
    const pool = await startPool({
      size: 1,
      passwords: [bytes(A), bytes(B)],
      openConfig: tiny,
      kdfBackend: 'wasm',
    });
    expect(pool.backend).toBe('wasm');
    const result = await pool.run({
      op: 'rotate',
      value: await v2('wasm secret', A),
      from: 0,
      to: 1,
    });
    if (result.outcome.kind !== 'rotated') throw new Error('expected a rotated value');
    const opened = await openStoredValue(result.outcome.newValue, B, tiny);
    expect(opened.ok && opened.plaintext.toString()).toBe('wasm secret');
  });
});
