/** The async DisposableStore that holds a job's and the app's cleanups (src/main/common). */
import { describe, expect, it } from 'vitest';
import { DisposableStore } from '../../src/main/common/disposable-store.js';

describe('DisposableStore', () => {
  it('runs every cleanup once, newest first, each after the one before has finished', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(() => {
      order.push('first added');
    });
    store.add(async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      order.push('second added (async)');
    });
    store.add(() => {
      order.push('last added');
    });
    const disposal = store.dispose();
    expect(store.dispose()).toBe(disposal);
    await disposal;
    await store.dispose();
    expect(order).toEqual(['last added', 'second added (async)', 'first added']);
    expect(store.isDisposed).toBe(true);
  });

  it('runs all cleanups when some fail, then rejects with the failure', async () => {
    const ran: number[] = [];
    const one = new DisposableStore();
    const boom = new Error('boom');
    one.add(() => void ran.push(1));
    one.add(() => {
      throw boom;
    });
    one.add(() => void ran.push(3));
    await expect(one.dispose()).rejects.toBe(boom);
    expect(ran).toEqual([3, 1]);

    const several = new DisposableStore();
    several.add(() => Promise.reject(new Error('older')));
    several.add(() => void ran.push(4));
    several.add(() => {
      throw new Error('newer');
    });
    const failure: unknown = await several.dispose().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((error: Error) => error.message)).toEqual([
      'newer',
      'older',
    ]);
    expect(ran).toEqual([3, 1, 4]);
  });

  it('disposes a cleanup added after dispose at once, and reports its failure', async () => {
    let report: (error: unknown) => void = () => undefined;
    const reported = new Promise<unknown>((resolve) => {
      report = resolve;
    });
    const store = new DisposableStore((error) => report(error));
    await store.dispose();
    const ran: string[] = [];
    store.add(() => void ran.push('late'));
    expect(ran).toEqual(['late']);
    store.add(() => Promise.reject(new Error('late failure')));
    expect(await reported).toEqual(new Error('late failure'));
    // Nothing was kept: a second dispose runs nothing again.
    await store.dispose();
    expect(ran).toEqual(['late']);
  });
});
