/**
 * The crypto workers' periodic full collection (src/engine/pool/worker-gc.ts):
 * it really collects, and it runs every COLLECT_EVERY_TASKS tasks or
 * COLLECT_EVERY_BYTES bytes of values, whichever comes first.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  COLLECT_EVERY_BYTES,
  COLLECT_EVERY_TASKS,
  PeriodicCollector,
  collectGarbage,
} from '../../../src/engine/pool/worker-gc.js';

/** A WeakRef to an object nothing else references. */
function unreachable(): WeakRef<object> {
  return new WeakRef({ payload: new Array(1000).fill('x') });
}

describe('collectGarbage', () => {
  it('frees an unreachable object at once', async () => {
    const ref = unreachable();
    // A WeakRef keeps its target until the current job ends.
    await nextTurn();
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
  });
});

describe('PeriodicCollector', () => {
  it('collects after every COLLECT_EVERY_TASKS small tasks', () => {
    let collections = 0;
    const collector = new PeriodicCollector(() => collections++);
    for (let i = 1; i < COLLECT_EVERY_TASKS; i++) collector.taskDone(100);
    expect(collections).toBe(0);
    collector.taskDone(100);
    expect(collections).toBe(1);
    for (let i = 0; i < COLLECT_EVERY_TASKS; i++) collector.taskDone(100);
    expect(collections).toBe(2);
  });

  it('collects sooner when the tasks handled large values', () => {
    let collections = 0;
    const collector = new PeriodicCollector(() => collections++);
    collector.taskDone(COLLECT_EVERY_BYTES / 2);
    expect(collections).toBe(0);
    collector.taskDone(COLLECT_EVERY_BYTES / 2);
    expect(collections).toBe(1);
  });
});
