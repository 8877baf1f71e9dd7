/** How many workers a job gets, and how much work it keeps in flight. */
import { availableParallelism, totalmem } from 'node:os';
import type { Argon2Config } from '../../../core/argon2.js';

/** Workers derive in parallel, each holding m KiB: keep them within half of the machine's memory. */
const MEMORY_SHARE = 0.5;

/**
 * The requested size (default: available cores), lowered so that concurrent
 * derivations fit in memory and there is no idle worker for a small job.
 */
export function choosePoolSize(
  requested: number | undefined,
  configs: readonly Argon2Config[],
  records: number,
): number {
  const wanted = requested ?? availableParallelism();
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
