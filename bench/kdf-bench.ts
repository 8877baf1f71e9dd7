/**
 * Argon2id derivations per second for each backend, on the main thread and
 * on a pool of worker_threads deriving concurrently (as a rotation does).
 * Run directly: `npx tsx bench/kdf-bench.ts [seconds]` (default preset).
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ARGON2_PRESETS,
  KdfWorkerClient,
  loadArgon2idBackend,
  type Argon2BackendName,
  type Argon2Config,
} from '../src/engine/index.js';

export interface KdfBenchResult {
  readonly backend: Argon2BackendName;
  /** 'single': one derivation at a time on the calling thread; 'pool': `threads` workers at once */
  readonly mode: 'single' | 'pool';
  readonly threads: number;
  readonly derivations: number;
  /** wall-clock seconds the derivations took */
  readonly seconds: number;
  readonly perSecond: number;
}

export interface KdfBenchOptions {
  readonly config: Argon2Config;
  /** measuring time per backend and mode */
  readonly seconds: number;
  readonly poolSize: number;
}

const BACKENDS: readonly Argon2BackendName[] = ['native', 'wasm'];
// A throwaway benchmark password and salt, not a secret.
const PASSWORD = Buffer.from('benchmark-password-0123456789');
const SALT = Buffer.alloc(16, 0x5a);

function result(
  backend: Argon2BackendName,
  mode: KdfBenchResult['mode'],
  threads: number,
  derivations: number,
  startedAt: number,
): KdfBenchResult {
  const seconds = (performance.now() - startedAt) / 1000;
  return { backend, mode, threads, derivations, seconds, perSecond: derivations / seconds };
}

async function benchSingle(
  backendName: Argon2BackendName,
  options: KdfBenchOptions,
): Promise<KdfBenchResult> {
  const backend = await loadArgon2idBackend(backendName);
  await backend.deriveKey(PASSWORD, SALT, options.config); // warm-up (wasm instantiation, memory growth)
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1000;
  let derivations = 0;
  do {
    await backend.deriveKey(PASSWORD, SALT, options.config);
    derivations++;
  } while (performance.now() < deadline);
  return result(backendName, 'single', 1, derivations, startedAt);
}

async function benchPool(
  backendName: Argon2BackendName,
  options: KdfBenchOptions,
): Promise<KdfBenchResult> {
  const workers = Array.from({ length: options.poolSize }, () => new KdfWorkerClient());
  try {
    // Warm-up outside the clock: worker start, module load, first derivation.
    await Promise.all(workers.map((w) => w.derive(backendName, PASSWORD, SALT, options.config)));
    const startedAt = performance.now();
    const deadline = startedAt + options.seconds * 1000;
    const counts = await Promise.all(
      workers.map(async (worker) => {
        let count = 0;
        do {
          await worker.derive(backendName, PASSWORD, SALT, options.config);
          count++;
        } while (performance.now() < deadline);
        return count;
      }),
    );
    const derivations = counts.reduce((a, b) => a + b, 0);
    return result(backendName, 'pool', options.poolSize, derivations, startedAt);
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** Measures each backend single-threaded, then with `poolSize` concurrent workers. */
export async function benchmarkKdf(options: KdfBenchOptions): Promise<KdfBenchResult[]> {
  const results: KdfBenchResult[] = [];
  for (const backend of BACKENDS) {
    results.push(await benchSingle(backend, options));
    results.push(await benchPool(backend, options));
  }
  return results;
}

/** A small text table of the results, plus the native/wasm ratio per mode. */
export function formatKdfBench(results: readonly KdfBenchResult[], config: Argon2Config): string {
  const header = `Argon2id t=${config.iterations} m=${config.memoryKiB} KiB p=${config.parallelism}`;
  const rows = results.map(
    (r) =>
      `${r.backend.padEnd(7)} ${`${r.mode} x${r.threads}`.padEnd(9)} ${r.perSecond.toFixed(2).padStart(8)} /s` +
      `  (${r.derivations} in ${r.seconds.toFixed(1)} s)`,
  );
  const ratios = (['single', 'pool'] as const).flatMap((mode) => {
    const native = results.find((r) => r.backend === 'native' && r.mode === mode);
    const wasm = results.find((r) => r.backend === 'wasm' && r.mode === mode);
    return native && wasm
      ? [`native/wasm ${mode}: ${(native.perSecond / wasm.perSecond).toFixed(2)}x`]
      : [];
  });
  return [header, 'backend mode       derivations/s', ...rows, ...ratios].join('\n');
}

// Only as `tsx bench/kdf-bench.ts`: bundled into the main bench, import.meta.url is the bundle.
const entry = process.argv[1];
const runDirectly =
  entry !== undefined &&
  entry.endsWith('kdf-bench.ts') &&
  resolve(entry) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const seconds = Number(process.argv[2] ?? 5);
  const config = ARGON2_PRESETS.default;
  const results = await benchmarkKdf({ config, seconds, poolSize: availableParallelism() });
  console.log(formatKdfBench(results, config));
}
