/** Both backends inside real worker_threads workers (started like the app starts them). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KdfWorkerClient } from '../../../src/engine/kdf/kdf-worker-client.js';
import type { Argon2BackendName } from '../../../src/engine/kdf/index.js';
import { passwordBytes, vectorConfig, vectors } from '../../support/vectors.js';

const workerVectors = vectors.v2.filter(
  (v) =>
    v.password_hex !== '' &&
    (v.config === 'tiny' || v.config === 'lightweight' || v.id === 'default/unicode'),
);

let workers: KdfWorkerClient[] = [];
beforeAll(() => {
  workers = [new KdfWorkerClient(), new KdfWorkerClient()];
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
});

describe('kdf worker', () => {
  it.each(['native', 'wasm'] as const)(
    '%s derives the vector keys in two workers at once',
    async (backend) => {
      const results = await Promise.all(
        workerVectors.map((vector, i) =>
          workers[i % workers.length]!.derive(
            backend,
            passwordBytes(vector),
            Buffer.from(vector.salt_hex, 'hex'),
            vectorConfig(vector.config),
          ),
        ),
      );
      expect(results.map((r) => r.backend)).toEqual(
        workerVectors.map((): Argon2BackendName => backend),
      );
      expect(results.map((r) => r.key.toString('hex'))).toEqual(
        workerVectors.map((v) => v.key_hex),
      );
    },
  );

  it("'auto' picks native inside a worker too", async () => {
    const vector = workerVectors[0]!;
    const result = await workers[0]!.derive(
      'auto',
      passwordBytes(vector),
      Buffer.from(vector.salt_hex, 'hex'),
      vectorConfig(vector.config),
    );
    expect(result.backend).toBe('native');
  });

  it('reports an invalid configuration as ARGON2_CONFIG and keeps working', async () => {
    const vector = workerVectors[0]!;
    const salt = Buffer.from(vector.salt_hex, 'hex');
    await expect(
      workers[1]!.derive('wasm', passwordBytes(vector), salt, {
        iterations: 1,
        memoryKiB: 4,
        parallelism: 1,
      }),
    ).rejects.toMatchObject({ code: 'ARGON2_CONFIG' });
    const result = await workers[1]!.derive(
      'wasm',
      passwordBytes(vector),
      salt,
      vectorConfig(vector.config),
    );
    expect(result.key.toString('hex')).toBe(vector.key_hex);
  });

  it('rejects requests once closed', async () => {
    const worker = new KdfWorkerClient();
    await worker.close();
    await expect(
      worker.derive('native', Buffer.from('x'), Buffer.alloc(16), vectorConfig('tiny')),
    ).rejects.toMatchObject({ code: 'WORKER_FAILED' });
  });
});
