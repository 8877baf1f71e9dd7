/**
 * A crypto worker's garbage holds native memory (the Buffers of keys, salts,
 * nonces, decoded values) that V8 frees only with a full collection, which a
 * worker's small heap seldom needs: two workers held ~60 MiB of it, growing,
 * by 600,000 records (issue 20). A full collection of that small heap every
 * thousand tasks (a few ms) keeps it flat: every 4096 left the workers'
 * malloc arenas 2.7 MiB larger at 1,000,000 records. The host thread
 * collects on a budget of its own (rotation/run/pipeline.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Tasks, or bytes of values, between two full collections. */
export const COLLECT_EVERY_TASKS = 1024;
export const COLLECT_EVERY_BYTES = 64 * 1024 * 1024;

let collect: (() => void) | null = null;

/** A full garbage collection of this thread's heap (V8's gc(), exposed in a context of its own). */
export function collectGarbage(): void {
  if (!collect) {
    // Exposes gc() to contexts created from now on only: no other code of the thread sees it.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/** How often a PeriodicCollector collects: every `tasks` tasks or `bytes` bytes of values. */
export interface CollectionBudget {
  readonly tasks: number;
  readonly bytes: number;
}

export const WORKER_BUDGET: CollectionBudget = {
  tasks: COLLECT_EVERY_TASKS,
  bytes: COLLECT_EVERY_BYTES,
};

/** Counts the tasks a thread ran and collects after every budget's worth of them. */
export class PeriodicCollector {
  private tasks = 0;
  private bytes = 0;
  /** full collections run so far */
  collections = 0;

  constructor(
    private readonly collectNow: () => void = collectGarbage,
    private readonly budget: CollectionBudget = WORKER_BUDGET,
  ) {}

  /** After a task that handled `bytes` bytes of values. */
  taskDone(bytes: number): void {
    this.tasks++;
    this.bytes += bytes;
    if (this.tasks < this.budget.tasks && this.bytes < this.budget.bytes) return;
    this.tasks = 0;
    this.bytes = 0;
    this.collections++;
    this.collectNow();
  }
}
