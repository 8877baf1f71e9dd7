/** How many workers a job gets, and how much work it keeps in flight. */
import { availableParallelism, totalmem } from 'node:os';
import type { Argon2Config } from '../../../core/argon2.js';
import { cgroupCpuLimit } from './cpu-quota.js';

/** Workers derive in parallel, each holding m KiB: keep them within half of the machine's memory. */
const MEMORY_SHARE = 0.5;

/**
 * The cores a job may use: the available ones, or fewer when the process's
 * cgroup holds it to a CPU quota (rounded up: 1.5 CPUs keep 2 workers busy).
 */
export function usableCores(
  available = availableParallelism(),
  cpuLimit: number | null = cgroupCpuLimit(),
): number {
  const limited = cpuLimit === null ? available : Math.min(available, Math.ceil(cpuLimit));
  return Math.max(1, limited);
}

/**
 * The default pool size: one worker per usable core, whatever the preset's
 * parallelism. Measured (`npm run bench`, section pool-size; figures and why
 * in docs/performance.md, "Pool size"): on 1 CPU one worker gave the most
 * derivations/s, on 2 CPUs two did, for the default preset (p=4, whose lanes
 * run on threads of their own) as for one lane (p=1). A p=4 derivation's
 * lanes wait for each other at every slice, so one worker left the second
 * core partly idle (about 25% fewer derivations/s when other processes
 * competed), while surplus workers cost a few per cent at most.
 */
export function defaultPoolSize(cores: number): number {
  return Math.max(1, Math.floor(cores));
}

/**
 * The requested size (default: defaultPoolSize of the usable cores),
 * lowered so that concurrent derivations fit in memory and there is no idle
 * worker for a small job.
 */
export function choosePoolSize(
  requested: number | undefined,
  configs: readonly Argon2Config[],
  records: number,
): number {
  const wanted = requested ?? defaultPoolSize(usableCores());
  const largestKiB = Math.max(...configs.map((config) => config.memoryKiB));
  const fitInMemory = Math.floor((totalmem() * MEMORY_SHARE) / (largestKiB * 1024));
  return Math.max(1, Math.min(wanted, fitInMemory, Math.max(1, records)));
}

/**
 * Tasks in flight: enough that no worker waits while the head of the line is
 * slow or the host is busy committing a batch (fast configs finish a task in
 * well under a millisecond). Bounds memory: window x value size.
 */
export function windowFor(poolSize: number): number {
  return Math.max(16, poolSize * 8);
}
