/**
 * A queue worker in its own process, for the redelivery tests (SIGKILL,
 * SIGSTOP): `node --import tsx queue-child.ts`. Its settings, with the Redis
 * password, come as one JSON line on stdin (never argv or env). It prints one
 * JSON line per event: {"event":"claimed","job":...} when a handler starts,
 * {"event":"aborted","reason":...} when a handler's signal aborts. A handler
 * runs until its signal aborts, then throws (it stopped early).
 */
import { createInterface } from 'node:readline';
import { openShardQueue } from '../../../../../src/engine/distributed/queue/index.js';

interface ChildSettings {
  readonly url: string;
  readonly password: string;
  readonly name: string;
  readonly workerId: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const lines = createInterface({ input: process.stdin });
const first = await new Promise<string>((resolve) => lines.once('line', resolve));
lines.close();
const settings = JSON.parse(first) as ChildSettings;
const queue = await openShardQueue({
  url: settings.url,
  name: settings.name,
  password: new TextEncoder().encode(settings.password),
});
queue.serve(
  async (job, signal) => {
    say({ event: 'claimed', job });
    await new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    say({ event: 'aborted', job, reason: signal.reason as string });
    throw new Error('stopped');
  },
  {
    concurrency: 1,
    workerId: settings.workerId,
    lockDurationMs: settings.lockDurationMs,
    stalledIntervalMs: settings.stalledIntervalMs,
  },
);
say({ event: 'serving' });
