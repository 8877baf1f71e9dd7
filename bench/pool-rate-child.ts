/**
 * The pool-size benchmark's child process (out/cli/pool-rate-child.mjs):
 * derives keys with N Argon2id workers at once for S seconds and prints one
 * JSON line: derivations/s, the CPU time all its threads used, how long the
 * workers took to start, its peak RSS, and what availableParallelism() and the
 * engine's usableCores() said inside its cgroup. Started inside a CPU-limited cgroup (bench/pool-size-bench.ts).
 * Usage: node pool-rate-child.mjs <workers> <seconds> <t=..,m=..,p=..>
 */
import { availableParallelism } from 'node:os';
import { KdfWorkerClient, usableCores, type Argon2Config } from '../src/engine/index.js';
import { ownPeakRssKiB } from './peak-rss.js';

export interface PoolRateSample {
  readonly workers: number;
  readonly derivations: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU seconds of the whole process (every thread) while measuring / wall seconds */
  readonly cpuPerWall: number;
  readonly startMs: number;
  readonly maxRssMiB: number;
  /** os.availableParallelism() inside the group: what a default would be based on */
  readonly availableParallelism: number;
  /** the cores the engine's default pool size is based on (the cgroup's quota read) */
  readonly usableCores: number;
}

// A throwaway benchmark password and salt, not a secret.
const PASSWORD = Buffer.from('benchmark-password-0123456789');
const SALT = Buffer.alloc(16, 0x5a);

export function parseConfig(text: string): Argon2Config {
  const fields = Object.fromEntries(
    text.split(',').map((pair) => pair.split('=') as [string, string]),
  );
  const number = (key: string): number => {
    const value = Number(fields[key]);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`bad ${key} in ${text}`);
    return value;
  };
  return {
    iterations: number('t'),
    memoryKiB: number('m'),
    parallelism: number('p'),
  };
}

async function measure(workers: number, seconds: number, config: Argon2Config) {
  const startedAt = performance.now();
  const clients = Array.from({ length: workers }, () => new KdfWorkerClient());
  try {
    // Warm-up outside the clock: worker start, module load, first derivation.
    await Promise.all(clients.map((c) => c.derive('native', PASSWORD, SALT, config)));
    const startMs = performance.now() - startedAt;
    const cpuBefore = process.cpuUsage();
    const measuredFrom = performance.now();
    const deadline = measuredFrom + seconds * 1000;
    const counts = await Promise.all(
      clients.map(async (client) => {
        let count = 0;
        do {
          await client.derive('native', PASSWORD, SALT, config);
          count++;
        } while (performance.now() < deadline);
        return count;
      }),
    );
    const wall = (performance.now() - measuredFrom) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const derivations = counts.reduce((a, b) => a + b, 0);
    return {
      workers,
      derivations,
      seconds: wall,
      perSecond: derivations / wall,
      cpuPerWall: (cpu.user + cpu.system) / 1e6 / wall,
      startMs,
      maxRssMiB: ownPeakRssKiB() / 1024,
      availableParallelism: availableParallelism(),
      usableCores: usableCores(),
    } satisfies PoolRateSample;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

const [workers, seconds, config] = process.argv.slice(2);
if (!workers || !seconds || !config) {
  throw new Error('usage: pool-rate-child.mjs <workers> <seconds> <t=..,m=..,p=..>');
}
const sample = await measure(Number(workers), Number(seconds), parseConfig(config));
process.stdout.write(`${JSON.stringify(sample)}\n`);
