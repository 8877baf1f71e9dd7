/** The window under the rotation pipeline and the scans: order, bounds, abort. */
import { describe, expect, it } from 'vitest';
import { runBoundedWindow } from '../../../../src/engine/rotation/run/bounded-window.js';

interface Task {
  readonly item: number;
  finish(result: string): void;
  fail(error: Error): void;
}

/** Tasks that finish when the test says so; records what is running. */
function controlledTasks() {
  const running: Task[] = [];
  const started: number[] = [];
  let maxRunning = 0;
  const start = (item: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      const task: Task = {
        item,
        finish: (result) => {
          running.splice(running.indexOf(task), 1);
          resolve(result);
        },
        fail: (error) => {
          running.splice(running.indexOf(task), 1);
          reject(error);
        },
      };
      running.push(task);
      maxRunning = Math.max(maxRunning, running.length);
    });
  const take = (item: number): Task => {
    const task = running.find((candidate) => candidate.item === item);
    if (!task)
      throw new Error(`task ${item} is not running (running: ${running.map((t) => t.item)})`);
    return task;
  };
  return { running, started, start, take, maxRunning: () => maxRunning };
}

function source(count: number): () => number | null {
  let next = 0;
  return () => (next < count ? next++ : null);
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('runBoundedWindow', () => {
  it('ordered: hands results out in source order whatever order they finish in', async () => {
    const handed: number[] = [];
    const items = Array.from({ length: 40 }, (_, index) => index);
    // finish each task after a delay that scrambles the order
    const outcome = await runBoundedWindow({
      next: source(40),
      start: (item) =>
        new Promise<string>((resolve) => setTimeout(() => resolve(`r${item}`), (item * 7) % 11)),
      ordered: true,
      window: 6,
      onResult: (item, result) => {
        expect(result).toBe(`r${item}`);
        handed.push(item);
      },
      signal: undefined,
    });
    expect(handed).toEqual(items);
    expect(outcome).toEqual({ cancelled: false, leftOver: [] });
  });

  it('ordered: waits for an async handler before handing out the next result', async () => {
    const log: string[] = [];
    await runBoundedWindow({
      next: source(5),
      start: (item) => Promise.resolve(item),
      ordered: true,
      window: 3,
      onResult: async (item) => {
        log.push(`begin ${item}`);
        await tick();
        log.push(`end ${item}`);
      },
      signal: undefined,
    });
    expect(log).toEqual([0, 1, 2, 3, 4].flatMap((item) => [`begin ${item}`, `end ${item}`]));
  });

  it('unordered: hands results out as they arrive, each once', async () => {
    const tasks = controlledTasks();
    const handed: number[] = [];
    const run = runBoundedWindow({
      next: source(3),
      start: tasks.start,
      ordered: false,
      window: 3,
      onResult: (item) => {
        handed.push(item);
      },
      signal: undefined,
    });
    await tick();
    tasks.take(2).finish('c');
    await tick();
    expect(handed).toEqual([2]);
    tasks.take(0).finish('a');
    tasks.take(1).finish('b');
    expect(await run).toEqual({ cancelled: false, leftOver: [] });
    expect(handed).toEqual([2, 0, 1]);
  });

  it('never runs more than `window` tasks at once', async () => {
    const tasks = controlledTasks();
    let handed = 0;
    const run = runBoundedWindow({
      next: source(20),
      start: tasks.start,
      ordered: false,
      window: 4,
      onResult: () => {
        handed++;
      },
      signal: undefined,
    });
    while (handed < 20) {
      await tick();
      expect(tasks.running.length).toBeLessThanOrEqual(4);
      tasks.running[0]?.finish('x');
    }
    await run;
    expect(tasks.maxRunning()).toBe(4);
  });

  it('bounds the bytes in flight, but always runs one task however large', async () => {
    const sizes = [10, 10, 10, 10, 100, 10, 10, 10, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    const notHandedOut = new Set<number>();
    const bytesAtStart: number[] = [];
    let index = 0;
    let running = 0;
    let maxRunning = 0;
    const outcome = await runBoundedWindow({
      next: () => (index < sizes.length ? index++ : null),
      start: (item) => {
        bytesAtStart.push([...notHandedOut].reduce((sum, other) => sum + sizes[other]!, 0));
        notHandedOut.add(item);
        maxRunning = Math.max(maxRunning, ++running);
        return new Promise<number>((resolve) =>
          setTimeout(
            () => {
              running--;
              resolve(item);
            },
            (item * 5) % 7,
          ),
        );
      },
      ordered: false,
      window: 100,
      maxInFlightBytes: 25,
      itemBytes: (item) => sizes[item]!,
      onResult: (item) => {
        notHandedOut.delete(item);
      },
      signal: undefined,
    });
    expect(outcome.cancelled).toBe(false);
    expect(bytesAtStart).toHaveLength(sizes.length);
    // a task starts only while fewer than 25 bytes are in flight (or none at all)
    for (const bytes of bytesAtStart) expect(bytes).toBeLessThan(25);
    // ... and the 100-byte item ran although it alone exceeds the bound
    expect(bytesAtStart[4]).toBeLessThan(25);
    expect(maxRunning).toBeGreaterThanOrEqual(3);
  });

  it('ordered: results waiting behind an unfinished item count against the byte bound', async () => {
    const tasks = controlledTasks();
    const run = runBoundedWindow({
      next: source(10),
      start: tasks.start,
      ordered: true,
      window: 100,
      maxInFlightBytes: 30,
      itemBytes: () => 5,
      resultBytes: (result) => result.length,
      onResult: () => undefined,
      signal: undefined,
    });
    await tick();
    expect(tasks.started).toEqual([0, 1, 2, 3, 4, 5]); // 6 x 5 = 30
    tasks.take(0).finish('');
    await tick();
    expect(tasks.started).toHaveLength(6); // 0 handed out: 25 bytes in flight
    // item 1 comes back with a 20-byte result: 45 bytes until it is handed out, so nothing starts
    tasks.take(1).finish('x'.repeat(20));
    await tick();
    expect(tasks.started).toHaveLength(6);
    tasks.take(2).finish('');
    await tick();
    // 1 was handed out (25 bytes freed): dispatch resumes up to the bound
    expect(tasks.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    while (tasks.running.length > 0) {
      tasks.running[0]!.finish('');
      await tick();
    }
    expect((await run).cancelled).toBe(false);
  });

  it('abort: stops dispatching, calls onAbort once, waits for the tasks in flight', async () => {
    const tasks = controlledTasks();
    const controller = new AbortController();
    let aborts = 0;
    const handed: number[] = [];
    let settled = false;
    const run = runBoundedWindow({
      next: source(100),
      start: tasks.start,
      ordered: true,
      window: 3,
      onResult: (item) => {
        handed.push(item);
      },
      signal: controller.signal,
      onAbort: () => aborts++,
    }).then((outcome) => {
      settled = true;
      return outcome;
    });
    await tick();
    tasks.take(0).finish('a');
    await tick();
    controller.abort();
    await tick();
    expect(aborts).toBe(1);
    expect(settled).toBe(false); // 1 and 2 are still running
    tasks.take(2).finish('c');
    await tick();
    expect(settled).toBe(false);
    tasks.take(1).finish('b');
    const outcome = await run;
    expect(tasks.started).toEqual([0, 1, 2]);
    expect(handed).toEqual([0, 1, 2]);
    expect(outcome).toEqual({ cancelled: true, leftOver: [] });
    expect(aborts).toBe(1);
  });

  it('ordered: a task stopped by the abort ends the run; results behind it are left over', async () => {
    const tasks = controlledTasks();
    const handed: number[] = [];
    const run = runBoundedWindow({
      next: source(10),
      start: tasks.start,
      ordered: true,
      window: 3,
      isAborted: (result) => result === 'aborted',
      onResult: (item) => {
        handed.push(item);
      },
      signal: undefined,
    });
    await tick();
    tasks.take(0).finish('a');
    await tick();
    tasks.take(2).finish('c');
    tasks.take(1).finish('aborted');
    await tick();
    // stopping: nothing new starts, the one still running is waited for
    tasks.take(3).finish('d');
    const outcome = await run;
    expect(handed).toEqual([0]);
    expect(outcome.cancelled).toBe(true);
    expect([...outcome.leftOver].sort()).toEqual(['aborted', 'c', 'd']);
    expect(tasks.started).toEqual([0, 1, 2, 3]);
  });

  it('unordered: an aborted task is dropped and the run says cancelled', async () => {
    const handed: number[] = [];
    const outcome = await runBoundedWindow({
      next: source(4),
      start: (item) => Promise.resolve(item === 2 ? 'aborted' : 'ok'),
      ordered: false,
      window: 2,
      isAborted: (result) => result === 'aborted',
      onResult: (item) => {
        handed.push(item);
      },
      signal: undefined,
    });
    expect(handed.sort()).toEqual([0, 1, 3]);
    expect(outcome).toEqual({ cancelled: true, leftOver: [] });
  });

  it('a signal aborted before the start runs nothing and says cancelled', async () => {
    const tasks = controlledTasks();
    const controller = new AbortController();
    controller.abort();
    const outcome = await runBoundedWindow({
      next: source(3),
      start: tasks.start,
      ordered: false,
      window: 2,
      onResult: () => undefined,
      signal: controller.signal,
    });
    expect(tasks.started).toEqual([]);
    expect(outcome.cancelled).toBe(true);
  });

  it('a failed task fails the run', async () => {
    await expect(
      runBoundedWindow({
        next: source(3),
        start: (item) =>
          item === 1 ? Promise.reject(new Error('worker died')) : Promise.resolve(item),
        ordered: true,
        window: 3,
        onResult: () => undefined,
        signal: undefined,
      }),
    ).rejects.toThrow('worker died');
  });
});
