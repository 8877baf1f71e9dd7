/**
 * What the queue tests share: a log of events one can wait on (no sleeps),
 * and a queue worker in a child process (./queue-child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ShardJob } from '../../../../../src/engine/distributed/queue/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Events in arrival order; waitFor resolves on the first (past or future) that matches. */
export class EventLog<E> {
  readonly events: E[] = [];
  private waiters: { match: (event: E) => boolean; resolve: (event: E) => void }[] = [];

  push(event: E): void {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.match(event)) return true;
      waiter.resolve(event);
      return false;
    });
  }

  waitFor(match: (event: E) => boolean): Promise<E> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

export interface ChildEvent {
  readonly event: 'serving' | 'claimed' | 'aborted' | 'exit';
  readonly job?: ShardJob;
  readonly reason?: string;
}

export interface QueueChild {
  readonly process: ChildProcess;
  readonly log: EventLog<ChildEvent>;
  readonly stderr: () => string;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL (resuming it first if stopped), and waits for the exit */
  kill(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function startQueueChild(settings: {
  url: string;
  password: string;
  name: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
}): QueueChild {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'queue-child.ts')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  const log = new EventLog<ChildEvent>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) log.push(JSON.parse(line) as ChildEvent);
  });
  child.once('exit', () => log.push({ event: 'exit' }));
  child.stdin.end(`${JSON.stringify({ ...settings, workerId: uniqueName('child') })}\n`);
  return {
    process: child,
    log,
    stderr: () => stderr,
    signal: (signal) => child.kill(signal),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = log.waitFor((event) => event.event === 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
